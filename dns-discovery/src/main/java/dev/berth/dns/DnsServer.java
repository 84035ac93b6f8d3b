package dev.berth.dns;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

/**
 * The DNS server: UDP and TCP on one address. Cluster names are answered on the receiving thread from memory (no
 * store, no lock); everything else is forwarded asynchronously with a bound on queries in flight, so a slow or dead
 * upstream can delay only forwarded names, and a flood beyond the bound is dropped (counted) instead of wedging the
 * server.
 * Malformed packets get FORMERR when their header can be read and are dropped otherwise; responses (QR set) are never
 * answered, so two resolvers pointing at each other cannot loop; only one question per query is accepted. A UDP
 * answer larger than the client can take (512 bytes, or its EDNS size) is sent truncated so the client asks over TCP.
 */
public final class DnsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DnsServer.class);
    private static final int MAX_UDP = 4096;
    private static final int TCP_IDLE_MS = 5_000;

    private final ClusterResolver cluster;
    private final Forwarder forwarder;
    private final DatagramChannel udp;
    private final ServerSocketChannel tcp;
    /** Forwarded queries in flight; beyond this a flood is dropped rather than queued. */
    private final java.util.concurrent.Semaphore outstanding = new java.util.concurrent.Semaphore(4096);
    private final ThreadPoolExecutor connections;
    private volatile boolean closed;
    final AtomicLong queries = new AtomicLong();
    final AtomicLong answered = new AtomicLong();
    final AtomicLong forwarded = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();

    private DnsServer(ClusterResolver cluster, Forwarder forwarder, DatagramChannel udp, ServerSocketChannel tcp,
                      int workers) {
        this.cluster = cluster;
        this.forwarder = forwarder;
        this.udp = udp;
        this.tcp = tcp;
        this.connections = pool("berth-dns-tcp", workers, 64);
    }

    /** Binds UDP and TCP on the address (port 0: any free port, the same for both) and starts serving. */
    public static DnsServer start(InetSocketAddress bind, ClusterResolver cluster, Forwarder forwarder, int workers)
            throws IOException {
        ServerSocketChannel tcp = ServerSocketChannel.open();
        tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        tcp.bind(bind, 256);
        InetSocketAddress bound = (InetSocketAddress) tcp.getLocalAddress();
        DatagramChannel udp = DatagramChannel.open();
        udp.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        udp.bind(bound);
        DnsServer server = new DnsServer(cluster, forwarder, udp, tcp, workers);
        thread("berth-dns-udp", server::receiveUdp).start();
        thread("berth-dns-accept", server::acceptTcp).start();
        LOG.info("DNS on {} (udp and tcp); upstreams {}", bound, forwarder.upstreams());
        return server;
    }

    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) tcp.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void receiveUdp() {
        ByteBuffer buf = ByteBuffer.allocate(MAX_UDP);
        while (!closed) {
            SocketAddress from;
            try {
                buf.clear();
                from = udp.receive(buf);
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("udp receive failed: {}", e.toString());
                }
                continue;
            }
            buf.flip();
            byte[] packet = new byte[buf.remaining()];
            buf.get(packet);
            InetSocketAddress client = (InetSocketAddress) from;
            try {
                handle(packet, client.getAddress(), true, reply -> sendUdp(reply, client));
            } catch (RuntimeException e) {
                // whatever a packet does, the receiving thread lives on
                malformed.incrementAndGet();
                LOG.debug("packet from {} dropped: {}", client, e.toString());
            }
        }
    }

    private void sendUdp(byte[] reply, InetSocketAddress client) {
        if (reply == null) {
            return;
        }
        try {
            udp.send(ByteBuffer.wrap(reply), client);
        } catch (IOException e) {
            LOG.debug("udp send to {} failed: {}", client, e.toString());
        }
    }

    private void acceptTcp() {
        while (!closed) {
            try {
                SocketChannel c = tcp.accept();
                try {
                    connections.execute(() -> serveTcp(c));
                } catch (java.util.concurrent.RejectedExecutionException full) {
                    dropped.incrementAndGet();
                    c.close();
                }
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("tcp accept failed: {}", e.toString());
                }
            }
        }
    }

    private void serveTcp(SocketChannel c) {
        try (c) {
            c.socket().setSoTimeout(TCP_IDLE_MS);
            var in = new java.io.DataInputStream(c.socket().getInputStream());
            var out = c.socket().getOutputStream();
            InetAddress client = ((InetSocketAddress) c.getRemoteAddress()).getAddress();
            while (!closed) {
                int len;
                try {
                    len = in.readUnsignedShort();
                } catch (EOFException end) {
                    return;
                }
                byte[] packet = in.readNBytes(len);
                if (packet.length < len) {
                    return;
                }
                java.util.concurrent.CompletableFuture<byte[]> done = new java.util.concurrent.CompletableFuture<>();
                handle(packet, client, false, done::complete);
                byte[] reply = done.get(10, TimeUnit.SECONDS);
                if (reply == null) {
                    return;
                }
                byte[] framed = new byte[reply.length + 2];
                framed[0] = (byte) (reply.length >> 8);
                framed[1] = (byte) reply.length;
                System.arraycopy(reply, 0, framed, 2, reply.length);
                out.write(framed);
                out.flush();
            }
        } catch (Exception e) {
            LOG.debug("tcp client ended: {}", e.toString());
        }
    }

    /** One query: answered at once (cluster name, bad packet) or on the forwarding pool. Null reply: drop. */
    void handle(byte[] packet, InetAddress client, boolean overUdp, java.util.function.Consumer<byte[]> reply) {
        queries.incrementAndGet();
        Message query;
        try {
            query = new Message(packet);
        } catch (IOException | RuntimeException e) {
            malformed.incrementAndGet();
            reply.accept(packet.length >= 12 ? formErr(packet) : null);
            return;
        }
        Header h = query.getHeader();
        if (h.getFlag(Flags.QR)) {
            malformed.incrementAndGet();
            reply.accept(null);
            return;
        }
        if (h.getOpcode() != Opcode.QUERY || h.getCount(Section.QUESTION) != 1) {
            malformed.incrementAndGet();
            reply.accept(status(query, h.getOpcode() != Opcode.QUERY ? Rcode.NOTIMP : Rcode.FORMERR));
            return;
        }
        int limit = overUdp ? udpLimit(query) : 65535;
        Optional<Message> local;
        try {
            local = cluster.answer(query, client);
        } catch (RuntimeException e) {
            LOG.warn("answering {} failed: {}", query.getQuestion(), e.toString());
            reply.accept(status(query, Rcode.SERVFAIL));
            return;
        }
        if (local.isPresent()) {
            answered.incrementAndGet();
            reply.accept(fit(local.get(), limit));
            return;
        }
        if (!outstanding.tryAcquire()) {
            dropped.incrementAndGet();
            reply.accept(overUdp ? null : status(query, Rcode.SERVFAIL));
            return;
        }
        forwarded.incrementAndGet();
        forwarder.forwardAsync(query).whenComplete((answer, error) -> {
            outstanding.release();
            try {
                reply.accept(fit(answer != null ? answer : Forwarder.failure(query), limit));
            } catch (RuntimeException e) {
                LOG.debug("replying to a forwarded query failed: {}", e.toString());
            }
        });
    }

    private static int udpLimit(Message query) {
        OPTRecord opt = query.getOPT();
        return opt == null ? 512 : Math.max(512, Math.min(MAX_UDP, opt.getPayloadSize()));
    }

    /** The answer's wire form, or a truncated one (question only, TC set) when it does not fit. */
    private static byte[] fit(Message m, int limit) {
        byte[] wire = m.toWire();
        if (wire.length <= limit) {
            return wire;
        }
        Message t = new Message(m.getHeader().getID());
        t.getHeader().setFlag(Flags.QR);
        t.getHeader().setFlag(Flags.TC);
        t.getHeader().setRcode(m.getRcode());
        if (m.getQuestion() != null) {
            t.addRecord(m.getQuestion(), Section.QUESTION);
        }
        return t.toWire();
    }

    private static byte[] status(Message query, int rcode) {
        Message m = new Message(query.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setRcode(rcode);
        if (query.getQuestion() != null) {
            m.addRecord(query.getQuestion(), Section.QUESTION);
        }
        return m.toWire();
    }

    /** FORMERR for a packet whose question could not be read: its ID, nothing else. */
    private static byte[] formErr(byte[] packet) {
        Message m = new Message(((packet[0] & 0xff) << 8) | (packet[1] & 0xff));
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setRcode(Rcode.FORMERR);
        return m.toWire();
    }

    private static ThreadPoolExecutor pool(String name, int threads, int queue) {
        ThreadPoolExecutor p = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queue), r -> thread(name, r), new ThreadPoolExecutor.AbortPolicy());
        p.allowCoreThreadTimeOut(true);
        return p;
    }

    private static Thread thread(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        closed = true;
        try {
            udp.close();
            tcp.close();
        } catch (IOException ignored) {
            // closing
        }
        connections.shutdownNow();
        forwarder.close();
    }
}
