package dev.berth.kv;

/** A running watch. Closing it stops deliveries (a batch being delivered finishes first). */
public interface Watch extends AutoCloseable {
    /** False once the watch ended: closed, reset or failed. */
    boolean isActive();

    @Override
    void close();
}
