package dev.berth.host.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Decides whether a socket path may be bound: a stale socket (nobody answers) is replaced, a live one is never
 * stolen, and anything that is not a socket is never deleted.
 */
public final class SocketGuard {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private SocketGuard() {
    }

    /** Thrown when the path cannot be taken; the message says why and what to do. */
    public static final class SocketUnavailableException extends RuntimeException {
        SocketUnavailableException(String message) {
            super(message);
        }
    }

    public static void claim(Path socket) {
        try {
            Path parent = socket.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                Files.createDirectories(parent,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            int mode = (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if ((mode & S_IFMT) != S_IFSOCK) {
                throw new SocketUnavailableException(socket + " exists and is not a socket; refusing to replace it");
            }
            if (answers(socket)) {
                throw new SocketUnavailableException("another live process is serving " + socket
                        + "; stop it first (a socket in use is never taken over)");
            }
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare socket " + socket + ": " + e.getMessage(), e);
        }
    }

    /** Whether some process accepts connections on this unix socket. */
    public static boolean answers(Path socket) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
