package dev.berth.kv.embedded;

import dev.berth.kv.KeyValue;
import dev.berth.kv.Lease;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/** A separate process using the embedded store, for the fault tests: killed with -9 at an arbitrary moment. */
public final class EmbeddedChild {
    private EmbeddedChild() {
    }

    public static void main(String[] args) throws Exception {
        EmbeddedStore store = EmbeddedStore.open(Path.of(args[1]));
        switch (args[0]) {
            case "cas-loop" -> {
                store.create("counter", b("0"));
                while (true) {
                    KeyValue cur = store.get("counter").orElseThrow();
                    long n = Long.parseLong(cur.text()) + 1;
                    if (store.compareAndSet("counter", cur.modRevision(), b(Long.toString(n))).isPresent()) {
                        System.out.println("ack " + n);
                        System.out.flush();
                    }
                }
            }
            case "creates" -> {
                // args[2] threads, each creating its own keys one after the other: "ack T N" once create N returned
                String prefix = args[3];
                int threads = Integer.parseInt(args[2]);
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    new Thread(() -> {
                        for (int n = 0; ; n++) {
                            store.create(prefix + "t" + thread + "/" + n, b("taken")).orElseThrow();
                            synchronized (System.out) {
                                System.out.println("ack " + thread + " " + n);
                                System.out.flush();
                            }
                        }
                    }).start();
                }
                Thread.sleep(Long.MAX_VALUE);
            }
            case "lease" -> {
                Lease lease = store.grantLease(Duration.ofSeconds(2));
                store.put(args[2], b("mine"), lease);
                System.out.println("ready");
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }
            case "writes" -> {
                int n = Integer.parseInt(args[2]);
                for (int i = 0; i < n; i++) {
                    store.put("x/" + (i % 7), b(Integer.toString(i)));
                }
                store.close();
                System.out.println("done");
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
