package dev.berth.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;

/**
 * Everything that is not a cluster name goes to the host's upstream resolvers, each tried in turn within one overall
 * deadline: an unreachable upstream (an IPv6 server on a host without IPv6, moby/moby#46329) costs its share of the
 * deadline, never a hang. Upstream answers pass through as they are (NXDOMAIN stays NXDOMAIN); UDP goes over a few
 * long-lived sockets ({@link UdpForwarder}); a truncated UDP answer is fetched again over TCP (dnsjava). No upstream
 * answering in time gives SERVFAIL.
 */
public final class Forwarder implements AutoCloseable {
    private final Resolver resolver;
    private final List<InetSocketAddress> upstreams;
    private final UdpForwarder udp;

    public Forwarder(List<InetSocketAddress> upstreams, Duration timeout) {
        this.upstreams = List.copyOf(upstreams);
        List<Resolver> each = new ArrayList<>();
        for (InetSocketAddress u : upstreams) {
            SimpleResolver r = new SimpleResolver(u);
            r.setTimeout(timeout.dividedBy(Math.max(1, upstreams.size())));
            r.setTCP(true);
            each.add(r);
        }
        ExtendedResolver all = new ExtendedResolver(each);
        all.setTimeout(timeout);
        all.setRetries(1);
        all.setLoadBalance(false);
        this.resolver = all;
        try {
            this.udp = new UdpForwarder(upstreams, timeout, this::overTcp);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot open the forwarding sockets", e);
        }
    }

    @Override
    public void close() {
        udp.close();
    }

    public List<InetSocketAddress> upstreams() {
        return upstreams;
    }

    /**
     * The upstream's answer with the query's ID, or SERVFAIL when none answered in time; asynchronous (dnsjava's
     * selector thread does the I/O), so outstanding forwards hold no thread.
     */
    public java.util.concurrent.CompletionStage<Message> forwardAsync(Message query) {
        return udp.forward(query);
    }

    /** Over TCP (for answers that came truncated over UDP). */
    java.util.concurrent.CompletionStage<Message> overTcp(Message query) {
        if (upstreams.isEmpty()) {
            return java.util.concurrent.CompletableFuture.completedFuture(failure(query));
        }
        try {
            return resolver.sendAsync(query.clone()).handle((answer, error) -> {
                if (error != null || answer == null) {
                    return failure(query);
                }
                answer.getHeader().setID(query.getHeader().getID());
                return answer;
            });
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.completedFuture(failure(query));
        }
    }

    /** The upstream's answer with the query's ID, or SERVFAIL when none answered in time (blocking). */
    public Message forward(Message query) {
        return forwardAsync(query).toCompletableFuture().join();
    }

    static Message failure(Message query) {
        Message m = new Message(query.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.RA);
        if (query.getHeader().getFlag(Flags.RD)) {
            m.getHeader().setFlag(Flags.RD);
        }
        m.getHeader().setRcode(Rcode.SERVFAIL);
        if (query.getQuestion() != null) {
            m.addRecord(query.getQuestion(), Section.QUESTION);
        }
        return m;
    }
}
