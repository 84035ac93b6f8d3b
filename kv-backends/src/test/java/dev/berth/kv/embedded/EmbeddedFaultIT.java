package dev.berth.kv.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.kv.KvStore;
import dev.berth.kv.KvUrl;
import dev.berth.kv.RecordingListener;
import dev.berth.kv.Watch;
import dev.berth.kv.WatchEvent;
import dev.berth.kv.WatchListener;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store across real processes: kill -9 mid-write, a dead process's lease, watches across processes. */
@Tag("integration")
class EmbeddedFaultIT {
    @TempDir
    Path dir;

    private Process child(String... args) throws IOException {
        String[] cmd = new String[args.length + 4];
        cmd[0] = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        cmd[1] = "-cp";
        cmd[2] = System.getProperty("java.class.path");
        cmd[3] = EmbeddedChild.class.getName();
        System.arraycopy(args, 0, cmd, 4, args.length);
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    @Test
    void killMinus9_losesNoAcknowledgedWrite() throws Exception {
        Random random = new Random(7);
        for (int round = 0; round < 5; round++) {
            Process p = child("cas-loop", dir.toString());
            AtomicLong lastAck = new AtomicLong();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        if (line.startsWith("ack ")) {
                            lastAck.set(Long.parseLong(line.substring(4)));
                        }
                    }
                } catch (IOException ignored) {
                    // the process was killed
                }
            });
            reader.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            long before = lastAck.get();
            while (lastAck.get() < before + 50 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(random.nextInt(400));
            // SIGKILL through the handle: Process.destroyForcibly() would also close our end of the pipe and
            // drop acknowledgements still in it
            p.toHandle().destroyForcibly();
            p.waitFor();
            reader.join();
            try (KvStore store = EmbeddedStore.open(dir)) {
                long stored = Long.parseLong(store.get("counter").orElseThrow().text());
                assertTrue(stored >= lastAck.get(), "round " + round + ": stored " + stored + " < acknowledged "
                        + lastAck.get());
                assertTrue(stored <= lastAck.get() + 1, "at most the one unacknowledged write in flight: stored "
                        + stored + ", acknowledged " + lastAck.get());
            }
        }
    }

    /**
     * Group commit under kill -9: 32 threads of one process create keys one after another (each acknowledged on
     * stdout once create returned, so after the batch holding it committed); whatever moment the process dies, every
     * acknowledged key is there, and per thread at most the one create in flight went beyond.
     */
    @Test
    void killMinus9_duringGroupCommit_losesNoAcknowledgedWrite() throws Exception {
        int threads = 32;
        Random random = new Random(11);
        for (int round = 0; round < 3; round++) {
            String prefix = "r" + round + "/";
            Process p = child("creates", dir.toString(), Integer.toString(threads), prefix);
            long[] lastAck = new long[threads];
            java.util.Arrays.fill(lastAck, -1);
            AtomicLong acks = new AtomicLong();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        String[] f = line.split(" ");
                        if (f.length == 3 && f[0].equals("ack")) {
                            synchronized (lastAck) {
                                lastAck[Integer.parseInt(f[1])] = Long.parseLong(f[2]);
                            }
                            acks.incrementAndGet();
                        }
                    }
                } catch (IOException ignored) {
                    // the process was killed
                }
            });
            reader.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (acks.get() < 500 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(random.nextInt(400));
            p.toHandle().destroyForcibly();
            p.waitFor();
            reader.join();
            assertTrue(acks.get() >= 500, "the child acknowledged only " + acks.get() + " creates");
            try (KvStore store = EmbeddedStore.open(dir)) {
                for (int t = 0; t < threads; t++) {
                    String mine = prefix + "t" + t + "/";
                    long stored = store.list(mine).entries().size();
                    for (long n = 0; n <= lastAck[t]; n++) {
                        assertTrue(store.get(mine + n).isPresent(), "round " + round + ": lost " + mine + n);
                    }
                    assertTrue(stored >= lastAck[t] + 1 && stored <= lastAck[t] + 2, "round " + round + " thread "
                            + t + ": " + stored + " stored, last acknowledged " + lastAck[t]);
                }
            }
        }
    }

    @Test
    void aKilledProcessesLeasedKeysGoWithinTheTtl() throws Exception {
        try (KvStore store = EmbeddedStore.open(dir)) {
            Process p = child("lease", dir.toString(), "hosts/dead");
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", r.readLine());
            assertTrue(store.get("hosts/dead").isPresent());
            Thread.sleep(3_000);
            assertTrue(store.get("hosts/dead").isPresent(), "a live process keeps its lease beyond the TTL");
            RecordingListener rec = new RecordingListener();
            try (Watch w = store.watch("hosts/", store.list("hosts/").revision(), rec)) {
                long killed = System.nanoTime();
                p.destroyForcibly();
                p.waitFor();
                rec.awaitEvents(1, Duration.ofSeconds(6));
                long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
                assertEquals(WatchEvent.Type.DELETE, rec.events().get(0).type());
                assertEquals(Optional.empty(), store.get("hosts/dead"));
                assertTrue(took < 2_000 + 1_500, "gone " + took + " ms after kill -9 (TTL 2 s)");
            }
        }
    }

    @Test
    void watchesSeeAnotherProcessesWritesInOrder() throws Exception {
        try (KvStore store = EmbeddedStore.open(dir)) {
            RecordingListener rec = new RecordingListener();
            try (Watch w = store.watch("x/", store.list("x/").revision(), rec)) {
                Process p = child("writes", dir.toString(), "2000");
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                rec.awaitEvents(2000, Duration.ofSeconds(30));
                List<WatchEvent> ev = rec.events();
                for (int i = 0; i < ev.size(); i++) {
                    assertEquals(Integer.toString(i), ev.get(i).entry().text());
                }
            }
        }
    }

    @Test
    void aWatcherBehindCompactionIsToldSo() throws Exception {
        try (KvStore store = EmbeddedStore.open(KvUrl.parse("embedded://" + dir + "?keep=100"))) {
            for (int i = 0; i < 2_100; i++) {
                store.put("c/k" + (i % 10), new byte[] {(byte) i});
            }
            RecordingListener rec = new RecordingListener();
            Watch w = store.watch("c/", 5, rec);
            rec.awaitReset(Duration.ofSeconds(5));
            assertEquals(WatchListener.ResetReason.COMPACTED, rec.lastReset.get());
            assertTrue(!w.isActive());
            RecordingListener fresh = new RecordingListener();
            try (Watch again = store.watch("c/", store.list("c/").revision(), fresh)) {
                store.put("c/new", new byte[] {1});
                fresh.awaitEvents(1, Duration.ofSeconds(5));
            }
        }
    }
}
