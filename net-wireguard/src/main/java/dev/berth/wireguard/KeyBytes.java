package dev.berth.wireguard;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/** The 32 bytes every WireGuard key is, and their two spellings: base64 (wg(8), config files) and hex (UAPI). */
final class KeyBytes {
    static final int LENGTH = 32;
    private static final HexFormat HEX = HexFormat.of();

    private KeyBytes() {
    }

    static byte[] check(byte[] raw, String what) {
        if (raw == null || raw.length != LENGTH) {
            throw new IllegalArgumentException("a WireGuard " + what + " has " + LENGTH + " bytes, not "
                    + (raw == null ? "none" : raw.length));
        }
        return raw.clone();
    }

    static byte[] fromBase64(String s, String what) {
        String t = s == null ? "" : s.trim();
        if (t.length() != 44 || !t.endsWith("=")) {
            throw new IllegalArgumentException("a WireGuard " + what + " in base64 has 44 characters ending in '='");
        }
        try {
            return check(Base64.getDecoder().decode(t), what);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a base64 WireGuard " + what, e);
        }
    }

    static byte[] fromHex(String s, String what) {
        String t = s == null ? "" : s.trim();
        if (t.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("a WireGuard " + what + " in hex has " + 2 * LENGTH + " digits");
        }
        try {
            return check(HEX.parseHex(t), what);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a hex WireGuard " + what, e);
        }
    }

    static String base64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    static String hex(byte[] b) {
        return HEX.formatHex(b);
    }

    static boolean allZero(byte[] b) {
        int acc = 0;
        for (byte x : b) {
            acc |= x;
        }
        return acc == 0;
    }

    /** Constant time, as keys deserve. */
    static boolean equal(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    static int hash(byte[] b) {
        return Arrays.hashCode(b);
    }
}
