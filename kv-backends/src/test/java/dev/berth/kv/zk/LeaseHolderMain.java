package dev.berth.kv.zk;

import dev.berth.kv.KvUrl;
import dev.berth.kv.Lease;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A separate process that holds a lease, for {@link ZkFaultIT}: opens the store of args[0], grants a lease of args[2]
 * ms, puts args[1] under it, prints "READY &lt;lease&gt;" and waits to be killed.
 */
public final class LeaseHolderMain {
    private LeaseHolderMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ZkStore store = ZkStore.open(KvUrl.parse(args[0]));
        Lease lease = store.grantLease(Duration.ofMillis(Long.parseLong(args[2])));
        store.put(args[1], "held".getBytes(StandardCharsets.UTF_8), lease);
        System.out.println("READY " + Long.toHexString(lease.id()) + " " + lease.ttl().toMillis());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
