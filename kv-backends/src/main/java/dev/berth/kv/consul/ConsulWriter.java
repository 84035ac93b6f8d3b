package dev.berth.kv.consul;

import dev.berth.kv.log.LogStore;
import dev.berth.kv.log.KeyData;
import dev.berth.kv.log.LogEntry;
import dev.berth.kv.KvException;
import dev.berth.kv.KvOutcomeUnknownException;
import dev.berth.kv.KvUnavailableException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/**
 * Every change to the store, as one Consul transaction that moves the head, appends the log entry and changes the key
 * ({@link KvOps} lists the operations). Two writers that race for the same revision both read the head (and the key)
 * again; one wins.
 *
 * <p>A transaction whose answer was lost is resent as it is, within the call timeout. That is safe because it is
 * conditional on the head's ModifyIndex: at most one of the copies can apply. If the resend is rolled back at the
 * head, the entry {@code log/<r>} tells whether it holds this write's nonce (an earlier copy landed: success) or
 * another writer's (this write did not apply: it starts over). When the timeout runs out first the write fails with
 * {@link KvOutcomeUnknownException}.
 */
final class ConsulWriter {
    /** The revision a write got, or -1 if its condition did not hold (key present, absent, changed). */
    static final long NOT_APPLIED = LogStore.NOT_APPLIED;

    /**
     * Values larger than this are refused: Consul caps a transaction at 512 KiB ({@code txn_max_req_len}) and a write
     * carries the value twice (key and log entry), base64-encoded.
     */
    static final int MAX_VALUE = 128 * 1024;

    private final KvCalls kv;
    private final ConsulLayout layout;
    private final LongConsumer onWritten;
    private final AtomicReference<KvOps.Head> head = new AtomicReference<>();

    ConsulWriter(KvCalls kv, ConsulLayout layout, LongConsumer onWritten) {
        this.kv = kv;
        this.layout = layout;
        this.onWritten = onWritten;
    }

    /** Reads the head (creating head and floor at 0 if this is the first store on the prefix) and remembers it. */
    KvOps.Head readHead() {
        Optional<KvEntry> e = kv.get(layout.head());
        if (e.isEmpty()) {
            kv.txn(List.of(TxnOp.cas(layout.head(), 0, ConsulLayout.counter(0)),
                    TxnOp.cas(layout.floor(), 0, ConsulLayout.counter(0))));
            e = kv.get(layout.head());
        }
        KvEntry h = e.orElseThrow(() -> new KvException("Consul store head " + layout.head() + " is missing"));
        return remember(new KvOps.Head(ConsulLayout.parseCounter(h.key(), h.value()), h.modifyIndex()));
    }

    /** The store's floor (0 when the store is new). */
    long readFloor() {
        return kv.get(layout.floor()).map(e -> ConsulLayout.parseCounter(e.key(), e.value())).orElse(0L);
    }

    private KvOps.Head remember(KvOps.Head h) {
        return head.accumulateAndGet(h, (a, b) -> a == null || b.revision() >= a.revision() ? b : a);
    }

    long write(KvOps.Request req) {
        if (req.value() != null && req.value().length > MAX_VALUE) {
            throw new IllegalArgumentException("value of " + req.key() + " is " + req.value().length
                    + " bytes; the Consul store takes at most " + MAX_VALUE);
        }
        long deadline = System.nanoTime() + kv.timeout().toNanos();
        while (true) {
            String path = layout.key(req.key());
            Optional<KvOps.Current> cur = kv.get(path)
                    .map(e -> new KvOps.Current(e.modifyIndex(), KeyData.decode(path, e.value())));
            if (!KvOps.applies(req, cur.map(KvOps.Current::data))) {
                if (req.kind() == LogStore.Kind.REAP) {
                    kv.txn(List.of(TxnOp.delete(layout.leaseKey(req.lease(), req.key()))));
                }
                return NOT_APPLIED;
            }
            KvOps.Head h = head.get() == null ? readHead() : head.get();
            KvOps.Plan plan = KvOps.plan(layout, req, cur, h, ThreadLocalRandom.current().nextLong());
            switch (commit(plan, deadline)) {
                case DONE -> {
                    onWritten.accept(plan.revision());
                    return plan.revision();
                }
                case STALE_HEAD -> readHead();
                case LEASE_ENDED -> throw new KvException(req.kind() == LogStore.Kind.REAP
                        ? "lease " + ConsulLayout.leaseName(req.lease()) + " is alive: not reaping " + req.key()
                        : "the lease of " + req.key() + " has ended (its Consul session was invalidated or "
                        + "destroyed); grant a new one");
                case KEY_CHANGED -> {
                    // read the key again
                }
            }
            pause(req.key(), deadline);
        }
    }

    private enum Attempt { DONE, STALE_HEAD, KEY_CHANGED, LEASE_ENDED }

    private Attempt commit(KvOps.Plan plan, long deadline) {
        boolean resent = false;
        while (true) {
            KvCalls.TxnResult r;
            try {
                r = kv.txn(plan.ops());
            } catch (KvOutcomeUnknownException e) {
                throw e;
            } catch (KvUnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw new KvOutcomeUnknownException("Consul did not confirm the write of revision "
                            + plan.revision() + " in time; it may or may not have been applied", e);
                }
                resent = true;
                pause("revision " + plan.revision(), deadline);
                continue;
            }
            if (r.applied()) {
                List<KvEntry> results = r.answer().results();
                if (!results.isEmpty()) {
                    remember(new KvOps.Head(plan.revision(), results.get(KvOps.Plan.HEAD_OP).modifyIndex()));
                }
                return Attempt.DONE;
            }
            int failed = r.answer().failedOp();
            if (failed == KvOps.Plan.HEAD_OP || failed == KvOps.Plan.LOG_OP) {
                return resent && landed(plan) ? Attempt.DONE : Attempt.STALE_HEAD;
            }
            if (failed == plan.leaseOp()) {
                return Attempt.LEASE_ENDED;
            }
            if (failed == KvOps.Plan.KEY_OP) {
                return Attempt.KEY_CHANGED;
            }
            throw new KvException("Consul rolled back the write of revision " + plan.revision() + ": "
                    + r.answer().errors());
        }
    }

    /** Whether {@code log/<r>} holds this very write (an earlier copy whose answer was lost). */
    private boolean landed(KvOps.Plan plan) {
        String path = layout.log(plan.revision());
        return kv.get(path).map(e -> LogEntry.decode(path, e.value()).nonce() == plan.nonce()).orElse(false);
    }

    private void pause(String what, long deadline) {
        if (System.nanoTime() > deadline) {
            throw new KvUnavailableException("Consul: the write of " + what + " kept conflicting with other writers "
                    + "for " + kv.timeout().toMillis() + " ms");
        }
        try {
            Thread.sleep(ThreadLocalRandom.current().nextInt(1, 6));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KvException("interrupted", e);
        }
    }
}
