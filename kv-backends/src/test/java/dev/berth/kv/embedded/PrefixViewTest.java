package dev.berth.kv.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.kv.KvStore;
import dev.berth.kv.KvUrl;
import dev.berth.kv.PrefixView;
import dev.berth.kv.WatchEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class PrefixViewTest {
    @TempDir
    Path dir;

    private static void await(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!cond.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(5);
        }
    }

    @Test
    void view_followsTheStore() throws Exception {
        try (KvStore store = EmbeddedStore.open(dir)) {
            store.put("dns/a", "1".getBytes());
            List<WatchEvent> seen = new ArrayList<>();
            try (PrefixView view = PrefixView.start(store, "dns/", changes -> {
                synchronized (seen) {
                    seen.addAll(changes);
                }
            })) {
                assertEquals(Set.of("dns/a"), view.snapshot().keySet());
                store.put("dns/b", "2".getBytes());
                store.delete("dns/a");
                store.put("other/x", "3".getBytes());
                await(() -> view.snapshot().keySet().equals(Set.of("dns/b")));
                synchronized (seen) {
                    assertEquals(2, seen.size());
                }
            }
        }
    }

    @Test
    void view_relistsAfterCompactionAndReportsTheDifference() throws Exception {
        try (KvStore store = EmbeddedStore.open(KvUrl.parse("embedded://" + dir + "?keep=50"))) {
            store.put("v/keep", "k".getBytes());
            store.put("v/gone", "g".getBytes());
            List<WatchEvent> seen = new ArrayList<>();
            try (PrefixView view = PrefixView.start(store, "v/", changes -> {
                synchronized (seen) {
                    seen.addAll(changes);
                }
            })) {
                for (int i = 0; i < 3_000; i++) {
                    store.put("noise/k" + (i % 5), new byte[] {(byte) i});
                }
                store.delete("v/gone");
                store.put("v/new", "n".getBytes());
                await(() -> view.snapshot().keySet().equals(Set.of("v/keep", "v/new")));
            }
        }
    }
}
