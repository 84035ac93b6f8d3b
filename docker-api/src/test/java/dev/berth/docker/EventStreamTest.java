package dev.berth.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /events} against a pretend daemon that streams events captured from docker.io 20.10. */
@Tag("unit")
class EventStreamTest {
    /** The 15 events a real 20.10 daemon sent for: network connect/disconnect, rm -f web, run --rm. */
    private static final String CAPTURED = FakeDocker.resource("events.jsonl");

    @TempDir
    Path dir;
    private FakeDocker daemon;
    private DockerApi docker;
    private final Recorder recorder = new Recorder();
    /** Lets a streaming answer end: the test counts it down. */
    private final CountDownLatch endStream = new CountDownLatch(1);

    @BeforeEach
    void start() {
        daemon = new FakeDocker(dir.resolve("docker.sock")).speaking("1.41", "1.12");
        docker = DockerApi.connect(daemon.socket());
    }

    @AfterEach
    void stop() {
        endStream.countDown();
        docker.close();
        daemon.close();
    }

    /** What a listener was told, in order, with one close at most. */
    static final class Recorder implements EventStream.Listener {
        final List<Event> events = new CopyOnWriteArrayList<>();
        final LinkedBlockingQueue<Object> closes = new LinkedBlockingQueue<>();
        final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public void onEvent(Event event) {
            events.add(event);
        }

        @Override
        public void onClosed(Throwable cause) {
            closes.add(cause == null ? "null" : cause);
            closed.countDown();
        }

        Object awaitClose() throws InterruptedException {
            assertTrue(closed.await(10, TimeUnit.SECONDS), "onClosed never came");
            return closes.peek();
        }
    }

    @Test
    void eventsSplitAcrossChunks_arriveWholeAndInOrder_thenTheDaemonsEndIsReported() throws Exception {
        byte[] all = CAPTURED.getBytes(StandardCharsets.UTF_8);
        daemon.answer("/v1.41/events", (q, r) -> {
            FakeDocker.startStream(r);
            for (int at = 0; at < all.length; at += 37) { // 37 bytes: objects split mid-field and mid-number
                FakeDocker.chunk(r, Arrays.copyOfRange(all, at, Math.min(all.length, at + 37)));
                Thread.sleep(1);
            }
        });
        EventStream stream = docker.events(Map.of(), recorder);
        Object cause = recorder.awaitClose();
        assertEquals(15, recorder.events.size());
        assertEquals(List.of("connect", "disconnect", "disconnect", "kill", "die", "disconnect", "unmount", "destroy",
                        "create", "attach", "connect", "start", "die", "disconnect", "destroy"),
                recorder.events.stream().map(Event::action).toList());
        Event die = recorder.events.get(4);
        assertEquals("container", die.type());
        assertEquals("363a3643ef0dd57b86266d61643d711eaf9ac40bef18237cd3f1b934bebb6456", die.actor().id());
        assertEquals("137", die.actor().attributes().get("exitCode"));
        assertEquals("web", die.actor().attributes().get("name"));
        assertEquals(1795507518L, die.time());
        assertEquals(Instant.ofEpochSecond(1795507518L, 657408432L), die.instant());
        Event connect = recorder.events.get(0);
        assertEquals("network", connect.type());
        assertEquals("35b6ecbebda235b17f63e00d884e9d3ad5c07ff8b74ada13863825c06e310348",
                connect.actor().attributes().get("container"));
        assertTrue(cause instanceof DockerUnavailableException, String.valueOf(cause));
        assertTrue(((Throwable) cause).getMessage().contains("the daemon ended the event stream"));
        assertFalse(stream.isOpen());
        assertEquals(1, recorder.closes.size());
    }

    @Test
    void daemonDroppingTheConnection_isReportedAsUnavailable() throws Exception {
        daemon.answer("/v1.41/events", (q, r) -> {
            FakeDocker.startStream(r);
            FakeDocker.chunk(r, "{\"Type\":\"container\",\"Action\":\"start\"}\n{\"Type\":\"cont".getBytes());
            throw new IllegalStateException("dockerd stopping"); // Jetty aborts: no last chunk, connection closed
        });
        docker.events(Map.of(), recorder);
        Object cause = recorder.awaitClose();
        assertEquals(List.of("start"), recorder.events.stream().map(Event::action).toList());
        assertTrue(cause instanceof DockerUnavailableException, String.valueOf(cause));
        assertTrue(((Throwable) cause).getMessage().length() < 300, ((Throwable) cause).getMessage());
    }

    @Test
    void eventsInOneChunk_areSplitApart() throws Exception {
        daemon.answer("/v1.41/events", (q, r) -> {
            FakeDocker.startStream(r);
            FakeDocker.chunk(r, "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"a\"},\"time\":1}\n{\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"a\"},\"time\":2}\n".getBytes());
        });
        docker.events(Map.of(), recorder);
        recorder.awaitClose();
        assertEquals(List.of("start", "die"), recorder.events.stream().map(Event::action).toList());
        assertEquals(Instant.ofEpochSecond(2), recorder.events.get(1).instant(), "no timeNano: seconds");
    }

    @Test
    void filtersAndSince_goIntoTheQuery() throws Exception {
        daemon.answer("/v1.41/events", (q, r) -> FakeDocker.startStream(r));
        docker.events(Map.of("type", List.of("container"), "event", List.of("die", "destroy")),
                Instant.ofEpochSecond(1795507518L, 650_000_000L), recorder);
        recorder.awaitClose();
        String request = URLDecoder.decode(daemon.requests().get(1), StandardCharsets.UTF_8);
        assertTrue(request.startsWith("/v1.41/events?filters={"), request);
        assertTrue(request.contains("\"type\":[\"container\"]"), request);
        assertTrue(request.contains("\"event\":[\"die\",\"destroy\"]"), request);
        assertTrue(request.endsWith("&since=1795507518.650000000"), request);
    }

    @Test
    void closedByTheCaller_tellsOnClosedNullOnce() throws Exception {
        daemon.answer("/v1.41/events", (q, r) -> {
            FakeDocker.startStream(r);
            FakeDocker.chunk(r, "{\"Type\":\"network\",\"Action\":\"create\",\"Actor\":{\"ID\":\"n\"}}\n".getBytes());
            endStream.await(20, TimeUnit.SECONDS);
        });
        EventStream stream = docker.events(Map.of(), recorder);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (recorder.events.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, recorder.events.size());
        assertTrue(stream.isOpen());
        stream.close();
        assertFalse(stream.isOpen(), "close waits for the reader");
        assertEquals("null", recorder.awaitClose());
        stream.close();
        Thread.sleep(50);
        assertEquals(1, recorder.closes.size());
    }

    @Test
    void idleStream_staysOpenUntilClosingTheClientClosesIt() throws Exception {
        daemon.answer("/v1.41/events", (q, r) -> {
            FakeDocker.startStream(r);
            endStream.await(20, TimeUnit.SECONDS);
        });
        EventStream stream = docker.events(Map.of(), recorder);
        Thread.sleep(300);
        assertTrue(stream.isOpen());
        assertEquals(1, recorder.closed.getCount());
        docker.close();
        assertEquals("null", recorder.awaitClose());
        assertFalse(stream.isOpen());
    }

    @Test
    void refusedStream_throwsAndNeverCallsTheListener() {
        daemon.json("/v1.41/events", 500, "{\"message\":\"invalid character 'o' in literal null (expecting 'u')\"}");
        DockerApiException e = assertThrows(DockerApiException.class, () -> docker.events(Map.of(), recorder));
        assertEquals(500, e.status());
        assertEquals("invalid character 'o' in literal null (expecting 'u')", e.dockerMessage());
        assertEquals(1, recorder.closed.getCount());
    }

    @Test
    void listenerThatThrows_endsTheStreamWithItsException() throws Exception {
        daemon.answer("/v1.41/events", (q, r) -> {
            FakeDocker.startStream(r);
            FakeDocker.chunk(r, CAPTURED.getBytes(StandardCharsets.UTF_8));
            endStream.await(20, TimeUnit.SECONDS);
        });
        IllegalStateException boom = new IllegalStateException("boom");
        CopyOnWriteArrayList<Object> closes = new CopyOnWriteArrayList<>();
        CountDownLatch closed = new CountDownLatch(1);
        docker.events(Map.of(), EventStream.Listener.of(e -> {
            throw boom;
        }, cause -> {
            closes.add(cause);
            closed.countDown();
        }));
        assertTrue(closed.await(10, TimeUnit.SECONDS));
        assertSame(boom, closes.get(0));
    }

    @Test
    void brokenEvent_endsTheStreamAsUnreadable() throws Exception {
        daemon.answer("/v1.41/events", (q, r) -> {
            FakeDocker.startStream(r);
            FakeDocker.chunk(r, "{\"Type\":\"container\"}\n{\"Type\": nope}\n".getBytes());
            endStream.await(20, TimeUnit.SECONDS);
        });
        docker.events(Map.of(), recorder);
        Object cause = recorder.awaitClose();
        assertEquals(1, recorder.events.size());
        assertTrue(cause instanceof DockerApiException, String.valueOf(cause));
        assertNotNull(((DockerApiException) cause).dockerMessage());
    }

    @Test
    void noDaemon_throwsUnavailable() {
        daemon.close();
        assertThrows(DockerUnavailableException.class, () -> docker.events(Map.of(), recorder));
        assertNull(recorder.closes.peek());
    }
}
