package dev.berth.wireguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** X25519 keys from the JDK: known answers, clamping, both spellings. ({@code wg pubkey} itself: the IT.) */
@Tag("unit")
class KeysTest {
    // RFC 7748 section 6.1: Alice's private key and public key
    private static final String RFC_PRIVATE = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
    private static final String RFC_PUBLIC = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";

    @Test
    void publicKey_ofTheRfc7748Vector_isTheRfcsAnswer() {
        assertEquals(RFC_PUBLIC, Keys.publicKey(PrivateKey.fromHex(RFC_PRIVATE)).hex());
    }

    @Test
    void privateKey_isStoredClamped_andClampingDoesNotChangeThePublicKey() {
        PrivateKey k = PrivateKey.fromHex(RFC_PRIVATE);
        byte[] b = k.bytes();
        assertEquals(0, b[0] & 7);
        assertEquals(0x40, b[31] & 0xc0);
        assertEquals("70076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c6a", k.hex());
        assertEquals(RFC_PUBLIC, k.publicKey().hex());
    }

    @Test
    void generate_givesAPairWhosePublicKeyIsDerivable_andFreshEachTime() {
        Set<PublicKey> seen = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            KeyPair p = Keys.generate();
            assertEquals(p.publicKey(), Keys.publicKey(p.privateKey()));
            assertEquals(p.privateKey(), PrivateKey.of(p.privateKey().bytes()), "generated keys are clamped");
            assertTrue(seen.add(p.publicKey()));
        }
    }

    @Test
    void keys_roundTripThroughBase64AndHex() {
        KeyPair p = Keys.generate();
        assertEquals(p.publicKey(), PublicKey.fromBase64(p.publicKey().base64()));
        assertEquals(p.publicKey(), PublicKey.fromHex(p.publicKey().hex()));
        assertEquals(p.privateKey(), PrivateKey.fromBase64(p.privateKey().base64() + "\n"));
        assertEquals(p.privateKey(), PrivateKey.fromHex(p.privateKey().hex()));
        assertEquals(44, p.publicKey().base64().length());
        assertEquals(64, p.publicKey().hex().length());
        assertEquals(p.publicKey().hex().toLowerCase(), p.publicKey().hex(), "the UAPI wants lowercase hex");
    }

    @Test
    void secrets_neverPrintThemselves() {
        KeyPair p = Keys.generate();
        PresharedKey psk = Keys.generatePreshared();
        assertFalse(p.privateKey().toString().contains(p.privateKey().base64()));
        assertFalse(p.toString().contains(p.privateKey().base64()));
        assertFalse(psk.toString().contains(psk.base64()));
        assertEquals(p.publicKey().base64(), p.publicKey().toString());
    }

    @Test
    void presharedKeys_areRandom_andZeroMeansNone() {
        PresharedKey a = Keys.generatePreshared();
        assertNotEquals(a, Keys.generatePreshared());
        assertFalse(a.isNone());
        assertTrue(PresharedKey.NONE.isNone());
        assertEquals(PresharedKey.NONE, PresharedKey.fromHex("0".repeat(64)));
    }

    @Test
    void malformedKeys_areRefused() {
        assertThrows(IllegalArgumentException.class, () -> PublicKey.of(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> PublicKey.fromBase64("abc="));
        assertThrows(IllegalArgumentException.class, () -> PublicKey.fromBase64("!".repeat(43) + "="));
        assertThrows(IllegalArgumentException.class, () -> PrivateKey.fromHex("zz".repeat(32)));
        assertThrows(IllegalArgumentException.class, () -> PresharedKey.fromHex("00"));
    }
}
