package dev.berth.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The server on loopback. Containers are played by client sockets bound to 127.0.x.y addresses (any of 127/8 is
 * local on Linux); the upstream is a scripted resolver on another loopback port.
 */
@Tag("unit")
class DnsServerTest {
    private StubUpstream upstream;
    private DnsServer server;
    private volatile NameIndex index;

    @BeforeEach
    void start() throws IOException {
        upstream = new StubUpstream();
        index = new NameIndex(List.of(
                record("a", "front", "127.0.1.2", null, null),
                record("b", "front", "127.0.1.3", "fd00::3", "web"),
                record("b2", "front", "127.0.1.4", null, "web"),
                record("c", "back", "127.0.2.2", null, null)));
        server = DnsServer.start(new InetSocketAddress("127.0.0.1", 0), new ClusterResolver(() -> index, 5),
                new Forwarder(List.of(upstream.address()), Duration.ofMillis(800)), 8);
    }

    @AfterEach
    void stop() {
        server.close();
        upstream.close();
    }

    private static ContainerRecord record(String name, String net, String v4, String v6, String service) {
        return new ContainerRecord("h1", name + "-id", name, service,
                service == null ? List.of() : List.of(new ContainerRecord.ServicePort(80, "tcp")),
                List.of(new ContainerRecord.Attachment(net, v4, v6, List.of(name + "-alias"))));
    }

    private Message ask(String from, String name, int type) throws IOException {
        Message q = Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), type, DClass.IN));
        byte[] wire = q.toWire();
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(from, 0))) {
            s.setSoTimeout(3000);
            s.send(new DatagramPacket(wire, wire.length, server.address()));
            byte[] buf = new byte[4096];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            Message m = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
            assertEquals(q.getHeader().getID(), m.getHeader().getID());
            return m;
        }
    }

    private static Set<String> addresses(Message m) {
        Set<String> out = new TreeSet<>();
        for (Record r : m.getSection(Section.ANSWER)) {
            out.add(r.rdataToString());
        }
        return out;
    }

    @Test
    void clusterNames_resolveForContainersOnTheSameNetwork() throws IOException {
        Message m = ask("127.0.1.2", "b", Type.A);
        assertEquals(Rcode.NOERROR, m.getRcode());
        assertTrue(m.getHeader().getFlag(Flags.AA));
        assertEquals(Set.of("127.0.1.3"), addresses(m));
        assertEquals(5, m.getSection(Section.ANSWER).get(0).getTTL());
        assertEquals(Set.of("127.0.1.3"), addresses(ask("127.0.1.2", "B.front", Type.A)), "case and name.network");
        assertEquals(Set.of("127.0.1.3"), addresses(ask("127.0.1.2", "b-alias", Type.A)), "aliases");
        assertEquals(Set.of("fd00:0:0:0:0:0:0:3"), addresses(ask("127.0.1.2", "b", Type.AAAA)));
        assertEquals(Set.of("127.0.1.3", "127.0.1.4"), addresses(ask("127.0.1.2", "web", Type.A)),
                "a service answers with every instance");
        Message srv = ask("127.0.1.2", "_web._tcp", Type.SRV);
        assertEquals(Set.of("0 0 80 b.front.", "0 0 80 b2.front."), addresses(srv));
        Message ptr = ask("127.0.1.2", "3.1.0.127.in-addr.arpa", Type.PTR);
        assertEquals(Set.of("b.front."), addresses(ptr));
        Message nodata = ask("127.0.1.2", "a", Type.AAAA);
        assertEquals(Rcode.NOERROR, nodata.getRcode());
        assertEquals(0, nodata.getSection(Section.ANSWER).size(), "a cluster name without IPv6: NODATA, not forwarded");
        assertEquals(0, upstream.asked, "nothing of that went upstream");
    }

    @Test
    void anOverlayContainerAskingFromItsGatewayBridgeAddress_isScopedByItsRecord_onItsOwnHostOnly() {
        ContainerRecord mine = new ContainerRecord("h1", "x", "x", null, List.of(),
                List.of(new ContainerRecord.Attachment("front", "10.1.0.9", null, List.of())), List.of("172.18.0.2"));
        ContainerRecord elsewhere = new ContainerRecord("h2", "y", "y", null, List.of(),
                List.of(new ContainerRecord.Attachment("back", "10.2.0.9", null, List.of())), List.of("172.18.0.2"));
        NameIndex idx = new NameIndex(List.of(mine, elsewhere), "h1");
        assertEquals(Set.of("front"), idx.networksOf("172.18.0.2"),
                "docker_gwbridge has the same subnet on every host: only this host's containers count");
    }

    @Test
    void aContainerOnAnotherNetwork_cannotResolveTheName() throws IOException {
        Message m = ask("127.0.2.2", "b", Type.A);
        assertEquals(Rcode.NXDOMAIN, m.getRcode(), "forwarded, and the upstream does not know it");
        assertEquals(Set.of("127.0.2.2"), addresses(ask("127.0.2.2", "c", Type.A)));
        Message unknownSource = ask("127.0.9.9", "b", Type.A);
        assertEquals(Rcode.NXDOMAIN, unknownSource.getRcode(), "an address that is no container sees no cluster name");
    }

    @Test
    void otherNames_areForwarded_withTheUpstreamsAnswer() throws IOException {
        Message ok = ask("127.0.1.2", "example.test", Type.A);
        assertEquals(Rcode.NOERROR, ok.getRcode());
        assertEquals(Set.of("192.0.2.1"), addresses(ok));
        assertEquals(Rcode.NXDOMAIN, ask("127.0.1.2", "nx.test", Type.A).getRcode());
        long t0 = System.nanoTime();
        assertEquals(Rcode.SERVFAIL, ask("127.0.1.2", "slow.test", Type.A).getRcode(), "an upstream that never answers");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 2500, "SERVFAIL took " + ms + " ms");
    }

    @Test
    void aLargeForwardedAnswer_isTruncatedOverUdp_andWholeOverTcp() throws IOException {
        Message udp = ask("127.0.1.2", "big.test", Type.A);
        assertTrue(udp.getHeader().getFlag(Flags.TC), "the answer does not fit 512 bytes");
        Message q = Message.newQuery(Record.newRecord(Name.fromString("big.test."), Type.A, DClass.IN));
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress("127.0.1.2", 0));
            s.connect(server.address(), 2000);
            s.setSoTimeout(3000);
            byte[] wire = q.toWire();
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(wire.length);
            out.write(wire);
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] reply = in.readNBytes(in.readUnsignedShort());
            Message m = new Message(reply);
            assertEquals(60, m.getSection(Section.ANSWER).size());
        }
    }

    @Test
    void garbage_neverCrashesOrWedgesTheServer() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.1.2", 0))) {
            java.util.Random rnd = new java.util.Random(7);
            for (int i = 0; i < 2000; i++) {
                byte[] junk = new byte[rnd.nextInt(600)];
                rnd.nextBytes(junk);
                s.send(new DatagramPacket(junk, junk.length, server.address()));
            }
            // a response packet (QR set) is never answered: no loops between resolvers
            Message q = Message.newQuery(Record.newRecord(Name.fromString("b."), Type.A, DClass.IN));
            q.getHeader().setFlag(Flags.QR);
            byte[] wire = q.toWire();
            s.send(new DatagramPacket(wire, wire.length, server.address()));
        }
        assertEquals(Set.of("127.0.1.3"), addresses(ask("127.0.1.2", "b", Type.A)), "still answering");
        assertTrue(server.malformed.get() > 0);
    }

    /** A scripted upstream resolver on loopback (UDP and TCP on one port). */
    private static final class StubUpstream implements AutoCloseable {
        final DatagramSocket udp;
        final ServerSocket tcp;
        volatile int asked;

        StubUpstream() throws IOException {
            tcp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), tcp.getLocalPort()));
            Thread u = new Thread(this::serveUdp, "stub-udp");
            u.setDaemon(true);
            u.start();
            Thread t = new Thread(this::serveTcp, "stub-tcp");
            t.setDaemon(true);
            t.start();
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), tcp.getLocalPort());
        }

        private Message answer(Message q, boolean viaUdp) throws IOException {
            asked++;
            String name = q.getQuestion().getName().toString(true);
            Message m = new Message(q.getHeader().getID());
            m.getHeader().setFlag(Flags.QR);
            m.getHeader().setFlag(Flags.RA);
            m.addRecord(q.getQuestion(), Section.QUESTION);
            switch (name) {
                case "example.test" -> m.addRecord(new ARecord(q.getQuestion().getName(), DClass.IN, 60,
                        InetAddress.getByName("192.0.2.1")), Section.ANSWER);
                case "big.test" -> {
                    if (viaUdp) {
                        m.getHeader().setFlag(Flags.TC);
                    } else {
                        for (int i = 0; i < 60; i++) {
                            m.addRecord(new ARecord(q.getQuestion().getName(), DClass.IN, 60,
                                    InetAddress.getByName("198.51.100." + i)), Section.ANSWER);
                        }
                    }
                }
                case "slow.test" -> {
                    return null;
                }
                default -> m.getHeader().setRcode(Rcode.NXDOMAIN);
            }
            return m;
        }

        private void serveUdp() {
            byte[] buf = new byte[4096];
            while (!udp.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    udp.receive(p);
                    Message a = answer(new Message(java.util.Arrays.copyOf(buf, p.getLength())), true);
                    if (a != null) {
                        byte[] w = a.toWire();
                        udp.send(new DatagramPacket(w, w.length, p.getSocketAddress()));
                    }
                } catch (SocketTimeoutException e) {
                    // keep going
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serveTcp() {
            while (!tcp.isClosed()) {
                try (Socket c = tcp.accept()) {
                    DataInputStream in = new DataInputStream(c.getInputStream());
                    byte[] q = in.readNBytes(in.readUnsignedShort());
                    Message a = answer(new Message(q), false);
                    if (a != null) {
                        byte[] w = a.toWire();
                        DataOutputStream out = new DataOutputStream(c.getOutputStream());
                        out.writeShort(w.length);
                        out.write(w);
                    }
                } catch (IOException e) {
                    if (tcp.isClosed()) {
                        return;
                    }
                }
            }
        }

        @Override
        public void close() {
            udp.close();
            try {
                tcp.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
