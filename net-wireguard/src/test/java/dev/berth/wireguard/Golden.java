package dev.berth.wireguard;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code name=hex} lines of {@code wg-golden.txt}, made by {@code wg-golden.c} from the kernel's headers. */
final class Golden {
    private static final Map<String, String> LINES = load();

    private Golden() {
    }

    static String hex(String name) {
        String h = LINES.get(name);
        if (h == null) {
            throw new IllegalArgumentException("no golden message " + name);
        }
        return h;
    }

    static byte[] bytes(String name) {
        return HexFormat.of().parseHex(hex(name));
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static Map<String, String> load() {
        try (InputStream in = Golden.class.getResourceAsStream("wg-golden.txt")) {
            if (in == null) {
                throw new IllegalStateException("missing test resource wg-golden.txt");
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0 && !line.startsWith("#")) {
                    out.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
