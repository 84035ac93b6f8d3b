package dev.berth.wireguard;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * WireGuard's cross-platform userspace API (wireguard-go, boringtun): one connection to
 * {@code /var/run/wireguard/IFACE.sock} per request, {@code set=1} or {@code get=1}, the reply read to its
 * {@code errno=N} line (see {@link UapiCodec} for the text). Connections are made with the JDK's unix-domain
 * {@link SocketChannel}; every exchange has a deadline, so a wedged daemon cannot hang the caller.
 *
 * <p>The socket directory is shared by every network namespace on a machine (it is a path, not a network object), so
 * interface names must be unique across the lab hosts of one machine.
 */
public final class UapiControl implements WireGuardControl {
    /** Where wireguard-go and boringtun put their sockets. */
    public static final Path DEFAULT_SOCKET_DIR = Path.of("/var/run/wireguard");
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final java.util.List<Path> socketDirs;
    private final Duration timeout;

    public UapiControl() {
        this(DEFAULT_SOCKET_DIR, DEFAULT_TIMEOUT);
    }

    public UapiControl(Path socketDir, Duration timeout) {
        this(java.util.List.of(socketDir), timeout);
    }

    /**
     * A control that finds a device's socket in the first of {@code socketDirs} holding it: the plugin's devices
     * may be served by the wireguard-go keeper (its sockets in a directory shared with the plugin) or by wireguard-go
     * processes of its own (in {@code /var/run/wireguard}).
     */
    public UapiControl(java.util.List<Path> socketDirs, Duration timeout) {
        if (socketDirs.isEmpty()) {
            throw new IllegalArgumentException("no socket directory");
        }
        this.socketDirs = java.util.List.copyOf(socketDirs);
        this.timeout = timeout;
    }

    /** The control socket of device {@code iface}: where it exists, else in the first directory. */
    public Path socket(String iface) {
        if (iface.isEmpty() || iface.length() > 15 || iface.contains("/") || iface.startsWith(".")) {
            throw new IllegalArgumentException("not an interface name: '" + iface + "'");
        }
        for (Path dir : socketDirs) {
            Path p = dir.resolve(iface + ".sock");
            if (java.nio.file.Files.exists(p)) {
                return p;
            }
        }
        return socketDirs.get(0).resolve(iface + ".sock");
    }

    @Override
    public void configure(String iface, DeviceConfig changes) {
        String op = "wg set " + iface;
        if (changes.isEmpty()) {
            return;
        }
        String reply = exchange(iface, UapiCodec.set(changes), op);
        UapiCodec.checkErrno(UapiCodec.lines(reply, op), op);
    }

    @Override
    public DeviceState read(String iface) {
        String op = "wg show " + iface;
        return UapiCodec.parseGet(iface, exchange(iface, UapiCodec.GET, op), op);
    }

    /** True when a daemon answers on the device's socket (a {@code get} that succeeds). */
    public boolean answers(String iface) {
        try {
            read(iface);
            return true;
        } catch (WireGuardException e) {
            return false;
        }
    }

    @Override
    public Backend backend() {
        return Backend.USERSPACE;
    }

    /** Sends one request and reads the reply up to the empty line that ends it (or the daemon's close). */
    String exchange(String iface, String request, String op) {
        Path path = socket(iface);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                ch.connect(UnixDomainSocketAddress.of(path));
            } catch (IOException e) {
                if (!Files.exists(path)) {
                    throw new WireGuardException(WireGuardException.Kind.NOT_FOUND, 2, op,
                            "no UAPI socket " + path + " (no such device, or no userspace daemon for it)");
                }
                throw new WireGuardException(WireGuardException.Kind.NOT_FOUND, 111, op,
                        "nobody answers on " + path + " (a stale socket: the daemon is gone): " + e.getMessage());
            }
            ch.configureBlocking(false);
            try (Selector sel = Selector.open()) {
                ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8));
                ch.register(sel, SelectionKey.OP_WRITE);
                while (out.hasRemaining()) {
                    await(sel, deadline, op);
                    ch.write(out);
                }
                ch.keyFor(sel).interestOps(SelectionKey.OP_READ);
                ByteArrayOutputStream in = new ByteArrayOutputStream();
                ByteBuffer buf = ByteBuffer.allocate(8192);
                int last = 0;
                int beforeLast = 0;
                while (!(last == '\n' && beforeLast == '\n')) {
                    await(sel, deadline, op);
                    buf.clear();
                    int n = ch.read(buf);
                    if (n < 0) {
                        break;
                    }
                    in.write(buf.array(), 0, n);
                    if (n > 0) {
                        beforeLast = n >= 2 ? buf.get(n - 2) : last;
                        last = buf.get(n - 1);
                    }
                }
                return in.toString(StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new WireGuardException(WireGuardException.Kind.IO, 5, op, "UAPI exchange on " + path + " failed: "
                    + e.getMessage(), e);
        }
    }

    private void await(Selector sel, long deadline, String op) throws IOException {
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new WireGuardException(WireGuardException.Kind.IO, 110, op, "no reply within "
                        + timeout.toMillis() + " ms");
            }
            if (sel.select(Math.max(1, left / 1_000_000)) > 0) {
                sel.selectedKeys().clear();
                return;
            }
        }
    }
}
