package dev.berth.netlink;

import java.nio.file.Path;

/**
 * A network namespace to open a handle in, create a link in, or move a link to: by path ({@code /var/run/netns/NAME},
 * {@code /proc/PID/ns/net}), by process ID ({@code IFLA_NET_NS_PID}), or by an open file descriptor the caller owns
 * ({@code IFLA_NET_NS_FD}).
 */
public sealed interface Netns permits Netns.ByPath, Netns.ByPid, Netns.ByFd {
    /** A namespace file such as {@code /var/run/netns/blue}, as {@code ip netns add blue} makes. */
    record ByPath(Path path) implements Netns {
        public ByPath {
            if (path == null) {
                throw new IllegalArgumentException("path is required");
            }
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }

    /** The namespace of a process. */
    record ByPid(int pid) implements Netns {
        public ByPid {
            if (pid <= 0) {
                throw new IllegalArgumentException("not a process ID: " + pid);
            }
        }

        @Override
        public String toString() {
            return "pid " + pid;
        }
    }

    /** An open namespace file descriptor; the caller keeps and closes it. */
    record ByFd(int fd) implements Netns {
        public ByFd {
            if (fd < 0) {
                throw new IllegalArgumentException("not a file descriptor: " + fd);
            }
        }

        @Override
        public String toString() {
            return "fd " + fd;
        }
    }

    static Netns path(Path path) {
        return new ByPath(path);
    }

    /** {@code /var/run/netns/NAME}, where {@code ip netns add NAME} puts it. */
    static Netns named(String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("not a namespace name: " + name);
        }
        return new ByPath(Path.of("/var/run/netns", name));
    }

    static Netns pid(int pid) {
        return new ByPid(pid);
    }

    static Netns fd(int fd) {
        return new ByFd(fd);
    }

    /** The file that names this namespace: the path, or {@code /proc/PID/ns/net}; null for a bare descriptor. */
    default Path file() {
        if (this instanceof ByPath p) {
            return p.path();
        }
        if (this instanceof ByPid p) {
            return Path.of("/proc", Integer.toString(p.pid()), "ns", "net");
        }
        return null;
    }
}
