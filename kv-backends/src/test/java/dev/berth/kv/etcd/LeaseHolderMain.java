package dev.berth.kv.etcd;

import dev.berth.kv.KvUrl;
import dev.berth.kv.Lease;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A separate process for the lease fault tests: grants a lease, puts a key under it, prints "ready &lt;lease id&gt;",
 * then keeps the lease alive until killed. It exits by itself when its standard input closes (the test JVM died).
 *
 * <pre>java -cp ... dev.berth.kv.etcd.LeaseHolderMain etcd://127.0.0.1:2379/p key ttl-seconds</pre>
 */
public final class LeaseHolderMain {
    private LeaseHolderMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        EtcdStore store = EtcdStore.open(KvUrl.parse(args[0]));
        Lease lease = store.grantLease(Duration.ofSeconds(Long.parseLong(args[2])));
        store.put(args[1], ("held by " + ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8), lease);
        System.out.println("ready " + lease.id());
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for the parent to go away
        }
        System.exit(3);
    }
}
