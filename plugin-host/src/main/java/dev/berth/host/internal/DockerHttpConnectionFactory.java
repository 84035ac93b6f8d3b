package dev.berth.host.internal;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HostPortHttpField;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * HTTP/1.1 as the Docker daemon speaks it to plugins. The daemon's Go client dials a unix socket with an empty URL host,
 * so every call carries a blank {@code Host:} header, which Jetty 12 refuses ("400 Blank Host") with no compliance
 * switch to allow it. This factory's connections read a blank Host as {@code Host: plugin}; nothing else changes.
 * (Seen with Docker 20.10: {@code POST /Plugin.Activate HTTP/1.1\r\nHost: \r\n...}.)
 */
final class DockerHttpConnectionFactory extends HttpConnectionFactory {
    private static final HttpField PLUGIN_HOST = new HostPortHttpField("plugin");

    DockerHttpConnectionFactory(HttpConfiguration config) {
        super(config);
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        HttpConnection connection = new BlankHostConnection(getHttpConfiguration(), connector, endPoint);
        connection.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
        return configure(connection, connector, endPoint);
    }

    private static final class BlankHostConnection extends HttpConnection {
        BlankHostConnection(HttpConfiguration config, Connector connector, EndPoint endPoint) {
            super(config, connector, endPoint);
        }

        @Override
        protected RequestHandler newRequestHandler() {
            return new BlankHostHandler();
        }

        /** Jetty's own request handler, with a blank Host read as "plugin". */
        private final class BlankHostHandler extends RequestHandler {
            @Override
            public void parsedHeader(HttpField field) {
                if (field.getHeader() == HttpHeader.HOST && field.getValue().isBlank()) {
                    super.parsedHeader(PLUGIN_HOST);
                } else {
                    super.parsedHeader(field);
                }
            }
        }
    }
}
