package dev.berth.wireguard;

/**
 * A WireGuard private key: an X25519 scalar of 32 bytes, always kept clamped ({@code k[0] &= 248; k[31] &= 127;
 * k[31] |= 64}) as wg(8) and the kernel store it. Never printed: {@link #toString()} is redacted. Immutable.
 */
public final class PrivateKey {
    private final byte[] raw;

    private PrivateKey(byte[] raw) {
        this.raw = clamp(raw);
    }

    /** From 32 raw bytes, clamped. */
    public static PrivateKey of(byte[] raw) {
        return new PrivateKey(KeyBytes.check(raw, "private key"));
    }

    public static PrivateKey fromBase64(String s) {
        return new PrivateKey(KeyBytes.fromBase64(s, "private key"));
    }

    public static PrivateKey fromHex(String s) {
        return new PrivateKey(KeyBytes.fromHex(s, "private key"));
    }

    /** The public key that goes with this one (see {@link Keys#publicKey}). */
    public PublicKey publicKey() {
        return Keys.publicKey(this);
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

    static byte[] clamp(byte[] k) {
        k[0] &= (byte) 248;
        k[31] &= 127;
        k[31] |= 64;
        return k;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrivateKey k && KeyBytes.equal(raw, k.raw);
    }

    @Override
    public int hashCode() {
        return KeyBytes.hash(raw);
    }

    @Override
    public String toString() {
        return "PrivateKey[redacted]";
    }
}
