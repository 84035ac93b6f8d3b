package dev.berth.wireguard;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * WireGuard keys from the JDK's own X25519 (JDK 11+, provider SunEC): no native code, no extra library.
 *
 * <ul>
 *   <li>{@link #generate()}: {@code KeyPairGenerator("X25519")}; the raw private key is the generated scalar, clamped;
 *       the raw public key is the point's u-coordinate in 32 little-endian bytes (RFC 7748).</li>
 *   <li>{@link #publicKey(PrivateKey)}: the JDK has no "public key of this private key" call, so this runs the X25519
 *       function on the base point u = 9: a {@code KeyAgreement} of the private key with the "public key" 9 yields
 *       X25519(k, 9), which is exactly the public key ({@code wg pubkey} computes the same).</li>
 *   <li>{@link #generatePreshared()}: 32 bytes from {@link SecureRandom}, as {@code wg genpsk}.</li>
 * </ul>
 */
public final class Keys {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final BigInteger BASE_POINT_U = BigInteger.valueOf(9);

    private Keys() {
    }

    /** A fresh key pair. Equivalent to: {@code wg genkey | tee private | wg pubkey > public}. */
    public static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("X25519");
            java.security.KeyPair jdk = g.generateKeyPair();
            byte[] scalar = ((XECPrivateKey) jdk.getPrivate()).getScalar()
                    .orElseThrow(() -> new IllegalStateException("the X25519 provider hides its scalars"));
            PrivateKey priv = PrivateKey.of(scalar);
            PublicKey pub = PublicKey.of(littleEndian(((XECPublicKey) jdk.getPublic()).getU()));
            return new KeyPair(priv, pub);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no X25519 (SunEC): " + e.getMessage(), e);
        }
    }

    /** The public key of a private key: X25519(k, 9). Equivalent to: {@code wg pubkey < private}. */
    public static PublicKey publicKey(PrivateKey privateKey) {
        try {
            KeyFactory f = KeyFactory.getInstance("X25519");
            java.security.PrivateKey k = f.generatePrivate(
                    new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey.bytes()));
            java.security.PublicKey base = f.generatePublic(
                    new XECPublicKeySpec(NamedParameterSpec.X25519, BASE_POINT_U));
            KeyAgreement ka = KeyAgreement.getInstance("X25519");
            ka.init(k);
            ka.doPhase(base, true);
            return PublicKey.of(ka.generateSecret());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 failed: " + e.getMessage(), e);
        }
    }

    /** A fresh preshared key. Equivalent to: {@code wg genpsk}. */
    public static PresharedKey generatePreshared() {
        byte[] b = new byte[KeyBytes.LENGTH];
        RANDOM.nextBytes(b);
        return PresharedKey.of(b);
    }

    /** A non-negative integer below 2^255 as 32 little-endian bytes (RFC 7748's encoding of u). */
    static byte[] littleEndian(BigInteger u) {
        byte[] be = u.toByteArray();
        byte[] le = new byte[KeyBytes.LENGTH];
        for (int i = 0; i < be.length && i < KeyBytes.LENGTH; i++) {
            le[i] = be[be.length - 1 - i];
        }
        return le;
    }
}
