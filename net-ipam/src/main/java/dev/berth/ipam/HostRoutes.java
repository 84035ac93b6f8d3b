package dev.berth.ipam;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;

/**
 * The prefixes this host already routes (from {@code /proc/net/route} and {@code /proc/net/ipv6_route} of the
 * network namespace the plugin runs in: the host's, for a plugin with {@code network: host}). An automatically chosen
 * pool must not overlap any of them. Default routes (/0) are left out: they overlap everything by definition.
 */
public final class HostRoutes {
    private HostRoutes() {
    }

    public static List<Cidr> read(Path procNet) {
        TreeSet<Cidr> routes = new TreeSet<>();
        routes.addAll(parseIpv4(readFile(procNet.resolve("route"))));
        routes.addAll(parseIpv6(readFile(procNet.resolve("ipv6_route"))));
        return List.copyOf(routes);
    }

    /** {@code /proc/net/route}: Iface Destination Gateway Flags RefCnt Use Metric Mask ...; hex, little-endian. */
    static List<Cidr> parseIpv4(String table) {
        List<Cidr> out = new ArrayList<>();
        String[] lines = table.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            if (f.length < 8) {
                continue;
            }
            byte[] dest = littleEndian(f[1]);
            int prefix = Integer.bitCount(Integer.parseUnsignedInt(f[7], 16));
            if (prefix > 0) {
                out.add(new Cidr(Cidr.mask(dest, prefix), prefix));
            }
        }
        return out;
    }

    /** {@code /proc/net/ipv6_route}: dest(32 hex) dest-prefix-len(hex) src src-len next-hop metric ... iface. */
    static List<Cidr> parseIpv6(String table) {
        List<Cidr> out = new ArrayList<>();
        for (String line : table.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || f[0].length() != 32) {
                continue;
            }
            int prefix = Integer.parseInt(f[1], 16);
            byte[] dest = HexFormat.of().parseHex(f[0]);
            boolean local = f[9].equals("lo") || (dest[0] == (byte) 0xff);
            if (prefix > 0 && !local) {
                out.add(new Cidr(Cidr.mask(dest, prefix), prefix));
            }
        }
        return out;
    }

    private static byte[] littleEndian(String hex) {
        byte[] b = HexFormat.of().parseHex(hex);
        return new byte[] {b[3], b[2], b[1], b[0]};
    }

    private static String readFile(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
