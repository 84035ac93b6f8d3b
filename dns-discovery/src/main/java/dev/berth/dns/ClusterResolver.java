package dev.berth.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Answers a query from the cluster's names, as the asking container may see them (only names on its own networks),
 * or says it is not ours (empty) so the server forwards it. Answers are authoritative, with a short TTL; addresses of
 * a name with several instances come shuffled.
 */
public final class ClusterResolver {
    private final Supplier<NameIndex> index;
    private final long ttl;

    public ClusterResolver(Supplier<NameIndex> index, long ttlSeconds) {
        this.index = index;
        this.ttl = ttlSeconds;
    }

    /** The answer, or empty when the name is not a cluster name visible to {@code source}. */
    public Optional<Message> answer(Message query, InetAddress source) {
        Record question = query.getQuestion();
        if (question == null) {
            return Optional.empty();
        }
        NameIndex idx = index.get();
        Set<String> networks = idx.networksOf(source.getHostAddress());
        if (networks.isEmpty()) {
            return Optional.empty();
        }
        Name qname = question.getName();
        String name = NameIndex.lower(qname.toString(true));
        int type = question.getType();
        List<Record> answers = new ArrayList<>();
        if (type == Type.PTR) {
            String address = reverseToAddress(qname);
            if (address == null) {
                return Optional.empty();
            }
            List<NameIndex.Target> targets = idx.reverse(address, networks);
            if (targets.isEmpty()) {
                return Optional.empty();
            }
            for (NameIndex.Target t : targets) {
                answers.add(new PTRRecord(qname, DClass.IN, ttl, absolute(t.container() + "." + t.network())));
            }
            return Optional.of(reply(query, answers));
        }
        if (type == Type.SRV) {
            List<NameIndex.ServiceTarget> targets = idx.services(name, networks);
            if (targets.isEmpty()) {
                return Optional.empty();
            }
            for (NameIndex.ServiceTarget t : targets) {
                answers.add(new SRVRecord(qname, DClass.IN, ttl, 0, 0, t.port(), absolute(t.host())));
            }
            Collections.shuffle(answers, ThreadLocalRandom.current());
            return Optional.of(reply(query, answers));
        }
        List<NameIndex.Target> targets = idx.lookup(name, networks);
        if (targets.isEmpty()) {
            return Optional.empty();
        }
        for (NameIndex.Target t : targets) {
            if ((type == Type.A || type == Type.ANY) && t.ipv4() != null) {
                answers.add(new ARecord(qname, DClass.IN, ttl, address(t.ipv4())));
            }
            if ((type == Type.AAAA || type == Type.ANY) && t.ipv6() != null) {
                answers.add(new AAAARecord(qname, DClass.IN, ttl, address(t.ipv6())));
            }
        }
        Collections.shuffle(answers, ThreadLocalRandom.current());
        // a cluster name asked for a type it lacks: NOERROR with no answer (NODATA), never forwarded
        return Optional.of(reply(query, answers));
    }

    private static Message reply(Message query, List<Record> answers) {
        Message m = new Message(query.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.AA);
        m.getHeader().setFlag(Flags.RA);
        if (query.getHeader().getFlag(Flags.RD)) {
            m.getHeader().setFlag(Flags.RD);
        }
        m.getHeader().setRcode(Rcode.NOERROR);
        m.addRecord(query.getQuestion(), Section.QUESTION);
        for (Record r : answers) {
            m.addRecord(r, Section.ANSWER);
        }
        return m;
    }

    private static String reverseToAddress(Name qname) {
        String s = NameIndex.lower(qname.toString(true));
        try {
            if (s.endsWith(".in-addr.arpa")) {
                String[] p = s.substring(0, s.length() - ".in-addr.arpa".length()).split("\\.");
                if (p.length != 4) {
                    return null;
                }
                return InetAddress.getByName(p[3] + "." + p[2] + "." + p[1] + "." + p[0]).getHostAddress();
            }
            if (s.endsWith(".ip6.arpa")) {
                String[] p = s.substring(0, s.length() - ".ip6.arpa".length()).split("\\.");
                if (p.length != 32) {
                    return null;
                }
                StringBuilder hex = new StringBuilder();
                for (int i = 31; i >= 0; i--) {
                    hex.append(p[i]);
                    if (i % 4 == 0 && i > 0) {
                        hex.append(':');
                    }
                }
                return InetAddress.getByName(hex.toString()).getHostAddress();
            }
        } catch (UnknownHostException | NumberFormatException e) {
            return null;
        }
        return null;
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a published record holds a bad address: " + text, e);
        }
    }

    private static Name absolute(String name) {
        try {
            return Name.fromString(name, Name.root);
        } catch (TextParseException e) {
            throw new IllegalStateException("not a DNS name: " + name, e);
        }
    }
}
