package dev.berth.migrate.tls;

import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * Mutually authenticated TLS 1.3 between migration agents. Each side shows its {@link AgentIdentity} and accepts
 * exactly the certificates in {@link PinnedPeers}; nothing else (no other TLS version, no CA, no anonymous client).
 *
 * <p>In TLS 1.3 the client finishes its handshake before the server has judged the client's certificate, so a
 * refused client would only learn it on its first read. The server therefore writes one byte once it accepted the
 * peer, and {@link #connect} waits for it: a connection returned by either side is authenticated both ways.
 */
public final class SecureChannel {
    static final String PROTOCOL = "TLSv1.3";
    private static final int ACCEPTED = 0x42;
    private final AgentIdentity identity;
    private final PinnedPeers pins;
    private final Duration handshakeTimeout;
    private final SSLContext context;

    /** @param handshakeTimeout limit of the connect, the handshake and the acceptance byte */
    public SecureChannel(AgentIdentity identity, PinnedPeers pins, Duration handshakeTimeout) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.pins = Objects.requireNonNull(pins, "pins");
        this.handshakeTimeout = Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        this.context = context(identity, pins);
    }

    /** With a 10 s handshake timeout. */
    public SecureChannel(AgentIdentity identity, PinnedPeers pins) {
        this(identity, pins, Duration.ofSeconds(10));
    }

    private static SSLContext context(AgentIdentity identity, PinnedPeers pins) {
        try {
            char[] password = new char[0];
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("agent", identity.privateKey(), password, new Certificate[] {identity.certificate()});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
            kmf.init(keys, password);
            SSLContext ctx = SSLContext.getInstance(PROTOCOL);
            ctx.init(kmf.getKeyManagers(), new TrustManager[] {new PinningTrustManager(pins)}, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new MigrationException(Kind.INTERNAL, "cannot set up TLS for " + identity.hostId() + ": "
                    + e.getMessage(), e);
        }
    }

    public AgentIdentity identity() {
        return identity;
    }

    /**
     * Listens on {@code address} (port 0: any free port). The caller accepts with {@link Server#accept()}.
     *
     * @throws MigrationException UNAVAILABLE when the address cannot be bound
     */
    public Server listen(InetSocketAddress address) {
        try {
            SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
            server.setReuseAddress(true);
            server.bind(address, 50);
            server.setEnabledProtocols(new String[] {PROTOCOL});
            server.setNeedClientAuth(true);
            return new Server(server);
        } catch (IOException e) {
            throw new MigrationException(Kind.UNAVAILABLE, "cannot listen on " + address + ": " + e.getMessage(), e);
        }
    }

    /**
     * Connects to the agent of host {@code expectedHostId} at {@code address}.
     *
     * @throws MigrationException UNTRUSTED when the server's certificate is not pinned, is pinned for another host,
     *                            or the server refused ours; UNAVAILABLE when it cannot be reached
     */
    public PeerConnection connect(InetSocketAddress address, String expectedHostId) {
        SSLSocket socket;
        try {
            socket = (SSLSocket) context.getSocketFactory().createSocket();
            socket.connect(address, (int) handshakeTimeout.toMillis());
        } catch (IOException e) {
            throw new MigrationException(Kind.UNAVAILABLE, "cannot reach " + address + ": " + e.getMessage(), e);
        }
        // connected: from here on a failure is the TLS exchange failing (a refusal shows as an alert, a close, a
        // reset or a broken pipe, depending on timing), unless nothing arrived in time
        try {
            socket.setEnabledProtocols(new String[] {PROTOCOL});
            socket.setSoTimeout((int) handshakeTimeout.toMillis());
            socket.setTcpNoDelay(true);
            socket.startHandshake();
            String peer = authenticated(socket);
            if (!peer.equals(expectedHostId)) {
                throw new MigrationException(Kind.UNTRUSTED, address + " is host " + peer + ", not "
                        + expectedHostId);
            }
            awaitAcceptance(socket, peer, address);
            socket.setSoTimeout(0);
            return new PeerConnection(socket, peer);
        } catch (SocketTimeoutException e) {
            closeQuietly(socket);
            throw new MigrationException(Kind.UNAVAILABLE, address + " did not complete a TLS handshake within "
                    + handshakeTimeout.toMillis() + " ms", e);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new MigrationException(Kind.UNTRUSTED, "TLS with " + address + " failed: " + e.getMessage(), e);
        } catch (MigrationException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    /**
     * The server's acceptance byte. A server that refused our certificate after the handshake answers with an alert,
     * a close or a reset, depending on timing: each means it does not trust us.
     */
    private void awaitAcceptance(SSLSocket socket, String peer, InetSocketAddress address) throws IOException {
        int b;
        try {
            b = socket.getInputStream().read();
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            throw new MigrationException(Kind.UNTRUSTED, "host " + peer + " at " + address + " refused "
                    + identity.hostId() + " after the handshake: " + e.getMessage(), e);
        }
        if (b != ACCEPTED) {
            throw new MigrationException(Kind.UNTRUSTED, "host " + peer + " at " + address
                    + " closed the connection: it does not trust " + identity.hostId());
        }
    }

    /** The pinned host id of the peer's certificate (checked again: a pin may have been removed meanwhile). */
    private String authenticated(SSLSocket socket) throws SSLException {
        if (!PROTOCOL.equals(socket.getSession().getProtocol())) {
            throw new MigrationException(Kind.UNTRUSTED, "negotiated " + socket.getSession().getProtocol());
        }
        Certificate[] chain = socket.getSession().getPeerCertificates();
        return pins.hostIdOf((X509Certificate) chain[0]).orElseThrow(() -> new MigrationException(Kind.UNTRUSTED,
                "peer certificate is no longer pinned"));
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
    }

    /** A listening TLS socket. Thread-safe: several threads may accept at once. */
    public final class Server implements AutoCloseable {
        private final SSLServerSocket socket;

        private Server(SSLServerSocket socket) {
            this.socket = socket;
        }

        /** The bound port (useful after binding port 0). */
        public int port() {
            return socket.getLocalPort();
        }

        public InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        /**
         * Waits for the next connection and authenticates it. The handshake runs on the calling thread (at most the
         * handshake timeout), so a loop that serves several peers hands each returned connection to another thread.
         *
         * @throws MigrationException UNTRUSTED for a peer that failed the handshake (not TLS 1.3, no certificate, not
         *                            pinned): the caller logs it and accepts again; UNAVAILABLE once the server is
         *                            closed
         */
        public PeerConnection accept() {
            SSLSocket client;
            try {
                client = (SSLSocket) socket.accept();
            } catch (IOException e) {
                throw new MigrationException(Kind.UNAVAILABLE, "listener on " + socket.getLocalSocketAddress()
                        + " stopped: " + e.getMessage(), e);
            }
            try {
                client.setSoTimeout((int) handshakeTimeout.toMillis());
                client.setTcpNoDelay(true);
                client.startHandshake();
                String peer = authenticated(client);
                OutputStream out = client.getOutputStream();
                out.write(ACCEPTED);
                out.flush();
                client.setSoTimeout(0);
                return new PeerConnection(client, peer);
            } catch (IOException e) {
                closeQuietly(client);
                throw new MigrationException(Kind.UNTRUSTED, "refused " + client.getRemoteSocketAddress() + ": "
                        + e.getMessage(), e);
            } catch (MigrationException e) {
                closeQuietly(client);
                throw e;
            }
        }

        @Override
        public void close() {
            SecureChannel.closeQuietly(socket);
        }
    }
}
