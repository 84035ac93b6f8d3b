package dev.berth.migrate.tls;

import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import javax.net.ssl.SSLSocket;

/**
 * An authenticated TLS 1.3 connection to another agent: who it is ({@link #peerHostId()}, from its pinned
 * certificate) and the two byte streams (buffered: flush the output). Closing it closes both.
 */
public final class PeerConnection implements AutoCloseable {
    private final SSLSocket socket;
    private final String peerHostId;
    private final InputStream in;
    private final OutputStream out;

    PeerConnection(SSLSocket socket, String peerHostId) throws IOException {
        this.socket = socket;
        this.peerHostId = peerHostId;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    /** The host id the peer's pinned certificate belongs to. */
    public String peerHostId() {
        return peerHostId;
    }

    public InputStream input() {
        return in;
    }

    public OutputStream output() {
        return out;
    }

    /** The negotiated protocol, always {@code TLSv1.3}. */
    public String protocol() {
        return socket.getSession().getProtocol();
    }

    /** The read timeout from now on; 0 waits for ever. */
    public void readTimeout(java.time.Duration timeout) {
        try {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        } catch (IOException e) {
            throw new MigrationException(Kind.UNAVAILABLE, "connection to " + peerHostId + ": " + e.getMessage(), e);
        }
    }

    /**
     * Cuts the connection at once, from any thread: with SO_LINGER 0 the TLS layer does not wait for the write lock a
     * writer blocked on a dead link holds (a plain close would wait behind it), and the TCP connection is reset.
     */
    public void abort() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // closing anyway
        }
        close();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // the connection is gone either way
        }
    }

    @Override
    public String toString() {
        return "PeerConnection(" + peerHostId + " at " + socket.getRemoteSocketAddress() + ")";
    }
}
