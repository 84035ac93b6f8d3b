package dev.berth.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;

/**
 * Forwarding over a few long-lived UDP sockets, as dnsmasq does, instead of a socket per query: each query goes out
 * with a fresh random ID on a random one of the sockets (random source ports), and the answer is matched by socket, ID,
 * upstream address and question. Upstreams are tried in order, each for its share of the deadline. An answer with TC
 * set is fetched again over TCP (dnsjava). Past the deadline the query gets SERVFAIL.
 */
final class UdpForwarder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpForwarder.class);
    private static final int SOCKETS = 4;

    private final List<InetSocketAddress> upstreams;
    private final Duration perUpstream;
    private final java.util.function.Function<Message, java.util.concurrent.CompletionStage<Message>> tcpFallback;
    private final DatagramChannel[] sockets = new DatagramChannel[SOCKETS];
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private volatile boolean closed;

    private static final class Pending {
        final Message query;
        final CompletableFuture<Message> result = new CompletableFuture<>();
        volatile int upstream;
        volatile long deadlineNanos;
        volatile long key;

        Pending(Message query) {
            this.query = query;
        }
    }

    UdpForwarder(List<InetSocketAddress> upstreams, Duration timeout,
                 java.util.function.Function<Message, java.util.concurrent.CompletionStage<Message>> tcpFallback)
            throws IOException {
        this.upstreams = List.copyOf(upstreams);
        this.perUpstream = timeout.dividedBy(Math.max(1, upstreams.size()));
        this.tcpFallback = tcpFallback;
        for (int i = 0; i < SOCKETS; i++) {
            sockets[i] = DatagramChannel.open();
            sockets[i].bind(null);
            int index = i;
            Thread t = new Thread(() -> receive(index), "berth-dns-upstream-" + i);
            t.setDaemon(true);
            t.start();
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "berth-dns-upstream-timer");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::expire, 20, 20, TimeUnit.MILLISECONDS);
    }

    CompletableFuture<Message> forward(Message query) {
        Pending p = new Pending(query);
        if (upstreams.isEmpty()) {
            p.result.complete(Forwarder.failure(query));
            return p.result;
        }
        send(p, 0);
        return p.result;
    }

    private void send(Pending p, int upstream) {
        p.upstream = upstream;
        p.deadlineNanos = System.nanoTime() + perUpstream.toNanos();
        int socket = ThreadLocalRandom.current().nextInt(SOCKETS);
        int id;
        long key;
        do {
            id = ThreadLocalRandom.current().nextInt(1 << 16);
            key = ((long) socket << 16) | id;
        } while (pending.putIfAbsent(key, p) != null);
        p.key = key;
        Message out = p.query.clone();
        out.getHeader().setID(id);
        try {
            sockets[socket].send(ByteBuffer.wrap(out.toWire()), upstreams.get(upstream));
        } catch (IOException e) {
            // unreachable upstream (no route, an IPv6 server without IPv6): the timer moves on to the next
            LOG.debug("sending to {} failed: {}", upstreams.get(upstream), e.toString());
        }
    }

    private void receive(int socket) {
        ByteBuffer buf = ByteBuffer.allocate(65535);
        while (!closed) {
            try {
                buf.clear();
                SocketAddress from = sockets[socket].receive(buf);
                buf.flip();
                byte[] bytes = new byte[buf.remaining()];
                buf.get(bytes);
                if (bytes.length < 12) {
                    continue;
                }
                int id = ((bytes[0] & 0xff) << 8) | (bytes[1] & 0xff);
                Pending p = pending.get(((long) socket << 16) | id);
                if (p == null || !from.equals(upstreams.get(p.upstream))) {
                    continue;
                }
                Message answer = new Message(bytes);
                if (answer.getQuestion() == null || !answer.getQuestion().equals(p.query.getQuestion())) {
                    continue;
                }
                if (!pending.remove(p.key, p)) {
                    continue;
                }
                if (answer.getHeader().getFlag(Flags.TC)) {
                    tcpFallback.apply(p.query).thenAccept(p.result::complete);
                    continue;
                }
                answer.getHeader().setID(p.query.getHeader().getID());
                p.result.complete(answer);
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.debug("upstream answer dropped: {}", e.toString());
                }
            }
        }
    }

    private void expire() {
        long now = System.nanoTime();
        for (Pending p : pending.values()) {
            if (now - p.deadlineNanos > 0 && pending.remove(p.key, p)) {
                if (p.upstream + 1 < upstreams.size()) {
                    send(p, p.upstream + 1);
                } else {
                    p.result.complete(Forwarder.failure(p.query));
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        for (DatagramChannel c : sockets) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        pending.values().forEach(p -> p.result.complete(Forwarder.failure(p.query)));
    }
}
