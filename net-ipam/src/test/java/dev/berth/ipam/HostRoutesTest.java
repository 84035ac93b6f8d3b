package dev.berth.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class HostRoutesTest {
    @Test
    void ipv4Table_isReadLittleEndianAndSkipsTheDefaultRoute() {
        String table = """
                Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
                eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
                docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
                eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
                """;
        assertEquals(List.of(Cidr.parse("172.17.0.0/16"), Cidr.parse("192.0.2.0/24")), HostRoutes.parseIpv4(table));
    }

    @Test
    void ipv6Table_skipsDefaultLoopbackAndMulticast() {
        String table = String.join("\n",
                "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0",
                "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0",
                "00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo",
                "ff000000000000000000000000000000 08 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000003 00000000 00000001     eth0");
        assertEquals(List.of(Cidr.parse("fd00::/64")), HostRoutes.parseIpv6(table));
    }

    @Test
    void thisHostsRoutesParse() {
        List<Cidr> routes = HostRoutes.read(Path.of("/proc/net"));
        assertTrue(routes.stream().noneMatch(c -> c.prefix() == 0), routes.toString());
    }
}
