package dev.berth.bench.overlayscale;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Calls to many plugin sockets at once, as many Docker daemons starting containers together would make them: each
 * socket gets {@code threadsPerSocket} client threads, each on its own keep-alive connection, taking that socket's
 * work in order from a shared queue. All threads are connected before the clock starts. The first failure stops
 * every thread and is rethrown by {@link #await()}.
 */
public final class Burst {
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final AtomicLong lastReturn = new AtomicLong();
    private long started;

    private Burst() {
    }

    /** Work for one socket: calls made on one connection of it. */
    public record Work(Path socket, List<Consumer<DriverClient>> calls) {
    }

    /** Connects every thread, then starts them all at once; returns when they run. */
    public static Burst start(List<Work> work, int threadsPerSocket, Transport.Connector connector, String name)
            throws InterruptedException {
        Burst b = new Burst();
        CountDownLatch ready = new CountDownLatch(work.size() * threadsPerSocket);
        CountDownLatch go = new CountDownLatch(1);
        for (Work w : work) {
            ConcurrentLinkedQueue<Consumer<DriverClient>> queue = new ConcurrentLinkedQueue<>(w.calls());
            for (int t = 0; t < threadsPerSocket; t++) {
                Thread thread = new Thread(() -> b.drive(w.socket(), queue, connector, ready, go),
                        name + "-" + w.socket().getParent().getFileName() + "-" + t);
                thread.setDaemon(true);
                b.threads.add(thread);
                thread.start();
            }
        }
        ready.await();
        b.started = System.nanoTime();
        go.countDown();
        return b;
    }

    private void drive(Path socket, ConcurrentLinkedQueue<Consumer<DriverClient>> queue,
                       Transport.Connector connector, CountDownLatch ready, CountDownLatch go) {
        try (DriverClient client = new DriverClient(connector.connect(socket))) {
            ready.countDown();
            go.await();
            for (Consumer<DriverClient> call = queue.poll(); call != null && failure.get() == null;
                 call = queue.poll()) {
                call.accept(client);
                lastReturn.accumulateAndGet(System.nanoTime(), Math::max);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
            ready.countDown();
        }
    }

    /** When the threads were released ({@link System#nanoTime()}). */
    public long started() {
        return started;
    }

    /** True once some call failed. */
    public boolean failed() {
        return failure.get() != null;
    }

    /** Waits for every thread; returns when the last call returned ({@link System#nanoTime()}). */
    public long await() throws InterruptedException {
        for (Thread t : threads) {
            t.join();
        }
        RuntimeException e = failure.get();
        if (e != null) {
            throw e;
        }
        return Math.max(started, lastReturn.get());
    }
}
