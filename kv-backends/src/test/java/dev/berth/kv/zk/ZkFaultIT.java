package dev.berth.kv.zk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.kv.KvUrl;
import dev.berth.kv.RecordingListener;
import dev.berth.kv.Watch;
import dev.berth.kv.WatchEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Real failures: a server of a 3-node ensemble dies mid-write; a process holding a lease is stalled, then killed. */
@Tag("integration")
class ZkFaultIT {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void ensemble_losingTheServerAClientUsesCausesNoErrorAndNoGap() throws Exception {
        int writes = 1500;
        try (TestingCluster cluster = ZkTestServers.cluster(3)) {
            KvUrl url = ZkTestServers.url(cluster.getConnectString(), "berth/fault", "timeout=15s");
            try (ZkStore writer = ZkStore.open(url); ZkStore watcher = ZkStore.open(url)) {
                RecordingListener rec = new RecordingListener();
                long from = watcher.list("f/").revision();
                try (Watch w = watcher.watch("f/", from, rec)) {
                    AtomicInteger written = new AtomicInteger();
                    AtomicReference<Throwable> failure = new AtomicReference<>();
                    Thread t = new Thread(() -> {
                        try {
                            for (int i = 0; i < writes; i++) {
                                writer.put("f/k" + (i % 10), b(Integer.toString(i)));
                                written.incrementAndGet();
                            }
                        } catch (Throwable e) {
                            failure.set(e);
                        }
                    });
                    t.start();
                    while (written.get() < writes / 4 && t.isAlive()) {
                        Thread.sleep(10);
                    }
                    InstanceSpec victim = cluster.findConnectionInstance(writerHandle(writer));
                    assertTrue(cluster.killServer(victim), "killed " + victim);
                    long killedAt = written.get();
                    t.join(TimeUnit.MINUTES.toMillis(2));
                    assertNull(failure.get(), () -> "the writer failed: " + failure.get());
                    assertEquals(writes, written.get());
                    assertTrue(killedAt < writes, "the server died while the writer was writing");
                    rec.awaitEvents(writes, Duration.ofSeconds(60));
                    List<WatchEvent> ev = rec.events();
                    assertEquals(writes, ev.size());
                    for (int i = 0; i < writes; i++) {
                        assertEquals(from + 1 + i, ev.get(i).revision(), "revision of event " + i);
                        assertEquals(Integer.toString(i), ev.get(i).entry().text(), "value of event " + i);
                    }
                    assertEquals(0, rec.resets.get());
                    assertTrue(w.isActive());
                }
            }
        }
    }

    @Test
    void lease_ofAStalledProcessSurvivesAndOfAKilledOneExpires() throws Exception {
        long ttlMs = 3000;
        try (TestingServer server = ZkTestServers.single()) {
            String url = "zk://" + server.getConnectString() + "/berth/killed";
            try (ZkStore store = ZkStore.open(KvUrl.parse(url))) {
                Process holder = startHolder(url, "held/k", ttlMs);
                try {
                    String ready = readyLine(holder);
                    long granted = Long.parseLong(ready.split(" ")[2]);
                    assertEquals(ttlMs, granted, "the server granted the TTL asked for");
                    assertTrue(store.get("held/k").isPresent());
                    RecordingListener rec = new RecordingListener();
                    try (Watch w = store.watch("held/", store.list("held/").revision(), rec)) {
                        // a stall shorter than the TTL (SIGSTOP, as a long GC pause would) keeps the lease
                        signal(holder, "STOP");
                        Thread.sleep(ttlMs / 2);
                        signal(holder, "CONT");
                        Thread.sleep(ttlMs);
                        assertTrue(store.get("held/k").isPresent(), "a brief stall keeps the lease");
                        assertEquals(0, rec.events().size());
                        // kill -9: the session expires, a reaper deletes the key through the log
                        holder.destroyForcibly();
                        long killed = System.nanoTime();
                        holder.waitFor(10, TimeUnit.SECONDS);
                        rec.awaitEvents(1, Duration.ofMillis(ttlMs * 3));
                        long goneMs = (System.nanoTime() - killed) / 1_000_000;
                        assertEquals(WatchEvent.Type.DELETE, rec.events().get(0).type());
                        assertTrue(store.get("held/k").isEmpty());
                        assertTrue(goneMs <= ttlMs + 1500, "gone " + goneMs + " ms after kill -9, TTL " + ttlMs);
                        System.out.println("leased key gone " + goneMs + " ms after kill -9 (TTL " + ttlMs + " ms)");
                    }
                } finally {
                    holder.destroyForcibly();
                }
            }
        }
    }

    private static org.apache.zookeeper.ZooKeeper writerHandle(ZkStore store) throws Exception {
        java.lang.reflect.Field f = ZkStore.class.getDeclaredField("curator");
        f.setAccessible(true);
        return ((org.apache.curator.framework.CuratorFramework) f.get(store)).getZookeeperClient().getZooKeeper();
    }

    private static Process startHolder(String url, String key, long ttlMs) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return new ProcessBuilder(java, "-cp", classpath, LeaseHolderMain.class.getName(), url, key,
                Long.toString(ttlMs))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private static String readyLine(Process p) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                for (String l = out.readLine(); l != null; l = out.readLine()) {
                    if (l.startsWith("READY ")) {
                        return l;
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        String ready = line.get(30, TimeUnit.SECONDS);
        assertTrue(ready != null, "the lease holder did not start (exit " + (p.isAlive() ? "-" : p.exitValue())
                + ")");
        return ready;
    }

    private static void signal(Process p, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
        assertEquals(0, kill.waitFor(), "kill -" + signal);
    }
}
