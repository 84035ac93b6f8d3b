package dev.berth.host.internal;

import dev.berth.host.api.ErrorResponse;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/** Errors Jetty raises itself (a bad request line, an ambiguous URI) also come back as {@code {"Err": ...}}. */
final class JsonErrorHandler extends ErrorHandler {
    private final JsonCodec json;

    JsonErrorHandler(JsonCodec json) {
        this.json = json;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int code = response.getStatus() >= 400 ? response.getStatus() : 500;
        Object status = request.getAttribute(ERROR_STATUS);
        if (status instanceof Integer s) {
            code = s;
        }
        Object message = request.getAttribute(ERROR_MESSAGE);
        String text = message instanceof String m && !m.isBlank() ? m : HttpStatus.getMessage(code);
        byte[] body = json.write(new ErrorResponse(PluginHandler.truncate(text, 200)));
        response.setStatus(code);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, PluginHandler.MEDIA_TYPE);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
