package dev.berth.wireguard;

/**
 * An optional symmetric key both ends of one peer pair share, mixed into their handshakes (post-quantum hedge). 32
 * random bytes; all zeros means "none", which is how the UAPI and the kernel report and clear it. Never printed.
 */
public final class PresharedKey {
    /** No preshared key: setting it clears one. */
    public static final PresharedKey NONE = new PresharedKey(new byte[KeyBytes.LENGTH]);

    private final byte[] raw;

    private PresharedKey(byte[] raw) {
        this.raw = raw;
    }

    public static PresharedKey of(byte[] raw) {
        return new PresharedKey(KeyBytes.check(raw, "preshared key"));
    }

    public static PresharedKey fromBase64(String s) {
        return new PresharedKey(KeyBytes.fromBase64(s, "preshared key"));
    }

    public static PresharedKey fromHex(String s) {
        return new PresharedKey(KeyBytes.fromHex(s, "preshared key"));
    }

    public boolean isNone() {
        return KeyBytes.allZero(raw);
    }

    public byte[] bytes() {
        return raw.clone();
    }

    public String base64() {
        return KeyBytes.base64(raw);
    }

    public String hex() {
        return KeyBytes.hex(raw);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PresharedKey k && KeyBytes.equal(raw, k.raw);
    }

    @Override
    public int hashCode() {
        return KeyBytes.hash(raw);
    }

    @Override
    public String toString() {
        return isNone() ? "PresharedKey[none]" : "PresharedKey[redacted]";
    }
}
