package dev.berth.docker;

import java.util.Objects;
import java.util.function.Consumer;

/** An open {@code GET /events} stream, read on a thread of its own: close it to stop. */
public interface EventStream extends AutoCloseable {
    /**
     * Stops the stream; its listener gets {@code onClosed(null)} (unless the stream had already ended). Idempotent;
     * waits briefly for the reading thread unless called from it.
     */
    @Override
    void close();

    /** Whether events may still come: false once the listener has been, or is being, told it closed. */
    boolean isOpen();

    /**
     * Receives an event stream, on the stream's own thread, one call at a time and in order. {@link #onClosed} comes
     * exactly once, last. Reconnecting is the caller's business: from {@code onClosed}, open a new stream with
     * {@code since} = the last event's {@link Event#instant()} plus one nanosecond (Docker replays what happened in
     * between; {@code since} itself is inclusive, so without the nanosecond the last event comes again).
     */
    interface Listener {
        /** One event. Should be quick; if it throws, the stream stops and {@link #onClosed} gets the exception. */
        void onEvent(Event event);

        /**
         * The stream has ended: {@code cause} is null when the caller closed it ({@link EventStream#close()} or
         * {@link DockerApi#close()}); a {@link DockerUnavailableException} when the daemon ended it or the connection
         * broke (a stopping dockerd just closes the connection); a {@link DockerApiException} when it sent something
         * unreadable; or whatever {@link #onEvent} threw.
         */
        void onClosed(Throwable cause);

        /** A listener from two lambdas. */
        static Listener of(Consumer<Event> onEvent, Consumer<Throwable> onClosed) {
            Objects.requireNonNull(onEvent);
            Objects.requireNonNull(onClosed);
            return new Listener() {
                @Override
                public void onEvent(Event event) {
                    onEvent.accept(event);
                }

                @Override
                public void onClosed(Throwable cause) {
                    onClosed.accept(cause);
                }
            };
        }
    }
}
