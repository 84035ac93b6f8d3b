package dev.berth.ipam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class CidrTest {
    @Test
    void parse_acceptsNetworksAndPrintsThemBack() {
        assertEquals("10.1.0.0/16", Cidr.parse("10.1.0.0/16").toString());
        assertEquals("fd00:1::/64", Cidr.parse("fd00:1:0:0::/64").toString());
        assertEquals("0.0.0.0/0", Cidr.parse("0.0.0.0/0").toString());
        assertEquals(new BigInteger("256"), Cidr.parse("192.168.7.0/24").size());
        assertEquals(BigInteger.ONE.shiftLeft(64), Cidr.parse("fd00::/64").size());
    }

    @Test
    void parse_refusesWhatIsNotANetwork() {
        for (String bad : List.of("10.1.0.1/16", "10.1.0.0", "10.1.0.0/33", "10.1.0.0/-1", "10.1.0.256/24",
                "010.1.0.0/16", "example.com/24", "fd00::1/64", "::ffff:10.0.0.0/104", "10.0.0.0/x", "")) {
            assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.1.2.3/16"));
        assertEquals("10.1.2.3/16 has host bits set; the network is 10.1.0.0/16", e.getMessage());
    }

    @Test
    void offsets_mapToAddressesBothWaysWithoutScanning() {
        Cidr eight = Cidr.parse("10.0.0.0/8");
        byte[] last = eight.addressAt(eight.size().subtract(BigInteger.ONE));
        assertEquals("10.255.255.255", Cidr.format(last));
        assertEquals(eight.size().subtract(BigInteger.ONE), eight.offsetOf(last));
        Cidr v6 = Cidr.parse("fd00:1::/64");
        byte[] a = v6.addressAt(new BigInteger("18446744073709551615"));
        assertEquals("fd00:1::ffff:ffff:ffff:ffff", Cidr.format(a));
        assertArrayEquals(a, v6.addressAt(v6.offsetOf(a)));
        assertThrows(IllegalArgumentException.class, () -> eight.addressAt(eight.size()));
        assertThrows(IllegalArgumentException.class, () -> eight.offsetOf(Cidr.parseAddress("11.0.0.1")));
    }

    @Test
    void containsAndOverlaps() {
        Cidr big = Cidr.parse("10.0.0.0/8");
        Cidr small = Cidr.parse("10.20.0.0/16");
        Cidr other = Cidr.parse("192.168.0.0/16");
        assertTrue(big.contains(small));
        assertFalse(small.contains(big));
        assertTrue(big.overlaps(small) && small.overlaps(big));
        assertFalse(big.overlaps(other));
        assertFalse(big.overlaps(Cidr.parse("fd00::/8")), "families never overlap");
        assertTrue(small.contains(Cidr.parseAddress("10.20.3.4")));
    }

    @Test
    void subnets_areCountedFromTheNetworkAddress() {
        Cidr range = Cidr.parse("10.200.0.0/16");
        assertEquals(BigInteger.valueOf(256), range.subnetCount(24));
        assertEquals("10.200.0.0/24", range.subnet(24, BigInteger.ZERO).toString());
        assertEquals("10.200.255.0/24", range.subnet(24, BigInteger.valueOf(255)).toString());
        assertEquals("10.200.1.7/24", range.subnet(24, BigInteger.ONE).withPrefix(Cidr.parseAddress("10.200.1.7")));
    }

    @Test
    void sortsByFamilyThenAddressThenLength() {
        List<Cidr> sorted = List.of(Cidr.parse("fd00::/8"), Cidr.parse("10.0.0.0/16"), Cidr.parse("10.0.0.0/8"),
                Cidr.parse("9.0.0.0/8")).stream().sorted().toList();
        assertEquals("[9.0.0.0/8, 10.0.0.0/8, 10.0.0.0/16, fd00::/8]", sorted.toString());
    }
}
