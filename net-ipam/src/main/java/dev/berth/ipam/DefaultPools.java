package dev.berth.ipam;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Where automatic pools (RequestPool with no Pool) come from: ranges split into pools of one size, written
 * {@code base/len:size} and comma-separated, e.g. {@code 10.192.0.0/12:24,fd42:b317:5e7a::/48:64} (the default: 4,096
 * IPv4 /24 pools and 65,536 IPv6 /64 pools). Candidates are tried in order; the first one free wins.
 */
public record DefaultPools(List<Range> ranges) {
    public static final String DEFAULT = "10.192.0.0/12:24,fd42:b317:5e7a::/48:64";

    public record Range(Cidr base, int size) {
        public Range {
            if (size < base.prefix() || size > base.network().length * 8) {
                throw new IllegalArgumentException("pool size /" + size + " does not fit in " + base);
            }
        }
    }

    public DefaultPools {
        ranges = List.copyOf(ranges);
    }

    public static DefaultPools parse(String text) {
        List<Range> out = new ArrayList<>();
        for (String item : text.split(",")) {
            String t = item.trim();
            int colon = t.lastIndexOf(':');
            int slash = t.lastIndexOf('/');
            if (colon < slash || slash < 0) {
                throw new IllegalArgumentException("default pool range '" + t + "' is not base/len:size, e.g. "
                        + "10.192.0.0/12:24");
            }
            try {
                out.add(new Range(Cidr.parse(t.substring(0, colon)), Integer.parseInt(t.substring(colon + 1))));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("default pool range '" + t + "': size is not a number");
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no default pool ranges given");
        }
        return new DefaultPools(out);
    }

    /** The first candidate of the given family that the predicate accepts, trying at most {@code limit} of them. */
    public Optional<Cidr> first(boolean v6, Predicate<Cidr> free, int limit) {
        int tried = 0;
        for (Range r : ranges) {
            if (r.base().isIpv6() != v6) {
                continue;
            }
            BigInteger count = r.base().subnetCount(r.size());
            for (BigInteger i = BigInteger.ZERO; i.compareTo(count) < 0 && tried < limit; i = i.add(BigInteger.ONE)) {
                tried++;
                Cidr c = r.base().subnet(r.size(), i);
                if (free.test(c)) {
                    return Optional.of(c);
                }
            }
        }
        return Optional.empty();
    }

    public boolean has(boolean v6) {
        return ranges.stream().anyMatch(r -> r.base().isIpv6() == v6);
    }
}
