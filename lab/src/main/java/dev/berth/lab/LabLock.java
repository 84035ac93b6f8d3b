package dev.berth.lab;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * One lab per machine, one user at a time: an flock on {@code /run/berth-lab.lock}, taken by {@link Lab#up} and given
 * back by {@link Lab#down} (or when the process ends). A second process that wants a lab waits for the first to finish
 * instead of tearing its lab down under it (test runs of several modules, a benchmark and a CI run on one machine).
 * Within one process the lock is simply kept.
 */
final class LabLock {
    static final Path FILE = Path.of("/run/berth-lab.lock");
    private static FileChannel channel;
    private static FileLock lock;

    private LabLock() {
    }

    static synchronized void acquire(Duration patience, Consumer<String> progress) {
        if (lock != null && lock.isValid()) {
            return;
        }
        try {
            channel = FileChannel.open(FILE, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            long deadline = System.nanoTime() + patience.toNanos();
            boolean told = false;
            while ((lock = channel.tryLock()) == null) {
                if (!told) {
                    progress.accept("another process is using the lab; waiting for it (up to " + patience.toMinutes()
                            + " min)");
                    told = true;
                }
                if (System.nanoTime() > deadline) {
                    channel.close();
                    throw new LabException("another process kept the lab (" + FILE + ") for " + patience.toMinutes()
                            + " min");
                }
                Thread.sleep(500);
            }
        } catch (IOException e) {
            throw new LabException("cannot lock " + FILE + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while waiting for the lab lock", e);
        }
    }

    static synchronized void release() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // the lock goes with the process anyway
        } finally {
            lock = null;
            channel = null;
        }
    }
}
