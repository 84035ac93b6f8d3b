package dev.berth.wireguard;

/**
 * A WireGuard public key: the 32-byte little-endian u-coordinate of an X25519 point. Names a peer everywhere
 * ({@code public_key=} in UAPI, {@code WGPEER_A_PUBLIC_KEY} in generic netlink). Immutable.
 */
public final class PublicKey {
    private final byte[] raw;

    private PublicKey(byte[] raw) {
        this.raw = raw;
    }

    public static PublicKey of(byte[] raw) {
        return new PublicKey(KeyBytes.check(raw, "public key"));
    }

    /** As wg(8) prints it. */
    public static PublicKey fromBase64(String s) {
        return new PublicKey(KeyBytes.fromBase64(s, "public key"));
    }

    /** As the UAPI spells it. */
    public static PublicKey fromHex(String s) {
        return new PublicKey(KeyBytes.fromHex(s, "public key"));
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
        return o instanceof PublicKey k && KeyBytes.equal(raw, k.raw);
    }

    @Override
    public int hashCode() {
        return KeyBytes.hash(raw);
    }

    /** The base64 form: public keys are not secret. */
    @Override
    public String toString() {
        return base64();
    }
}
