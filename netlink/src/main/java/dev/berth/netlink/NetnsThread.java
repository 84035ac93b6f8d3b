package dev.berth.netlink;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs an action inside another network namespace without touching any thread but one of its own: a new thread
 * enters the namespace ({@code setns(fd, CLONE_NEWNET)}), runs the action, switches back to the namespace it started
 * in, and ends. A netlink socket stays bound to the namespace it was created in, so a socket opened this way serves
 * that namespace from any thread afterwards. No thread of the caller, or of a pool, ever changes namespace.
 */
final class NetnsThread {
    private NetnsThread() {
    }

    static <T> T call(Netns ns, String op, Supplier<T> action) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                result.set(enterAndRun(ns, op, action));
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "berth-netns-enter");
        t.setDaemon(true);
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the thread is short-lived; finish it so no descriptor leaks
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable e = failure.get();
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new NetlinkException(op, e.toString(), e);
        }
        return result.get();
    }

    private static <T> T enterAndRun(Netns ns, String op, Supplier<T> action) {
        int home = LibC.openNamespace(java.nio.file.Path.of("/proc/thread-self/ns/net"), op);
        int target = -1;
        try {
            target = ns instanceof Netns.ByFd f ? f.fd() : LibC.openNamespace(ns.file(), op);
            if (LibC.setns(target, LibC.CLONE_NEWNET) != 0) {
                throw new NetlinkException(op + ": setns(" + ns + ")", LibC.errno(), null);
            }
            try {
                return action.get();
            } finally {
                // this thread ends right after; switching back keeps the rule "threads stay where they were born"
                if (LibC.setns(home, LibC.CLONE_NEWNET) != 0) {
                    System.err.println("berth-netlink: could not switch a helper thread back to its namespace: "
                            + Errno.describe(LibC.errno()) + " (harmless: the thread ends now)");
                }
            }
        } finally {
            if (target >= 0 && !(ns instanceof Netns.ByFd)) {
                LibC.close(target);
            }
            LibC.close(home);
        }
    }
}
