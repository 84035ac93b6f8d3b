package dev.berth.docker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import java.io.EOFException;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** Reads one open event stream on its own thread and tells the listener each event, then exactly once that it ended. */
final class EventReader implements EventStream {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final long JOIN_MILLIS = 5_000;

    private final UnixTransport.Streaming stream;
    private final EventStream.Listener listener;
    private final Consumer<EventReader> onEnd;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final Thread thread;

    private EventReader(UnixTransport.Streaming stream, EventStream.Listener listener, Consumer<EventReader> onEnd) {
        this.stream = stream;
        this.listener = listener;
        this.onEnd = onEnd;
        this.thread = new Thread(this::run, "docker-events-" + THREADS.incrementAndGet());
        this.thread.setDaemon(true);
    }

    /** Starts reading; {@code onEnd} runs on the reading thread after the listener was told the stream closed. */
    static EventReader start(UnixTransport.Streaming stream, EventStream.Listener listener, Consumer<EventReader> onEnd) {
        EventReader reader = new EventReader(stream, listener, onEnd);
        reader.thread.start();
        return reader;
    }

    @Override
    public void close() {
        if (closing.compareAndSet(false, true)) {
            stream.abort();
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isOpen() {
        return !ended.get();
    }

    private void run() {
        Throwable cause;
        try (MappingIterator<Event> events = Codec.events(stream.body())) {
            cause = deliver(events);
        } catch (JsonProcessingException e) {
            cause = Codec.unreadable(stream.call(), "a broken event: " + e.getOriginalMessage(), e);
        } catch (EOFException e) {
            // what a stopping dockerd does: it closes the connection without ending the chunked body
            cause = new DockerUnavailableException(stream.call() + ": the daemon closed the connection", e);
        } catch (IOException e) {
            cause = new DockerUnavailableException(stream.call() + ": the event stream broke: " + brief(e), e);
        } catch (RuntimeException e) {
            cause = e;
        }
        if (closing.get()) {
            cause = null;
        } else {
            stream.abort();
        }
        ended.set(true);
        try {
            listener.onClosed(cause);
        } finally {
            onEnd.accept(this);
        }
    }

    /** Jetty's messages may spell out a whole connection's state: the class and the first line, cut short. */
    private static String brief(IOException e) {
        String m = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        return e.getClass().getSimpleName() + (m.isEmpty() || m.equals("null") ? ""
                : ": " + (m.length() > 200 ? m.substring(0, 200) + " ..." : m));
    }

    /** Hands events over until the stream ends; a clean end from the daemon's side is reported as unavailability. */
    private Throwable deliver(MappingIterator<Event> events) throws IOException {
        while (!closing.get() && events.hasNextValue()) {
            Event event = events.nextValue();
            if (closing.get()) {
                break;
            }
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                return e;
            }
        }
        return new DockerUnavailableException(stream.call() + ": the daemon ended the event stream");
    }
}
