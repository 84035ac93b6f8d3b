package dev.berth.kv.etcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.kv.KvUrl;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM loading for etcd TLS, on certificates and keys made by keytool for the test; no server. */
@Tag("unit")
class EtcdTlsTest {
    @TempDir
    static Path dir;
    private static TestPki.Material pki;

    @BeforeAll
    static void makePki() {
        pki = TestPki.create(dir, "RSA");
    }

    @Test
    void certificates_areReadFromPem() {
        X509Certificate ca = EtcdTls.certificates(pki.caCert()).get(0);
        assertEquals("CN=berth-test-ca", ca.getSubjectX500Principal().getName());
        X509Certificate client = EtcdTls.certificates(pki.clientCert()).get(0);
        assertEquals(ca.getSubjectX500Principal(), client.getIssuerX500Principal());
    }

    @Test
    void pkcs8RsaKey_matchesItsCertificate() throws Exception {
        PrivateKey key = EtcdTls.privateKey(pki.clientKey());
        assertEquals("RSA", key.getAlgorithm());
        assertSignsFor(key, EtcdTls.certificates(pki.clientCert()).get(0), "SHA256withRSA");
    }

    @Test
    void pkcs1RsaKey_asOpensslWritesIt_isWrappedIntoPkcs8() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is needed to write a PKCS#1 key");
        Path pkcs1 = dir.resolve("client-key-pkcs1.pem");
        Process p = new ProcessBuilder("/usr/bin/openssl", "rsa", "-in", pki.clientKey().toString(), "-traditional",
                "-out", pkcs1.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, out);
        assertTrue(Files.readString(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        PrivateKey fromPkcs1 = EtcdTls.privateKey(pkcs1);
        assertArrayEquals(EtcdTls.privateKey(pki.clientKey()).getEncoded(), fromPkcs1.getEncoded());
    }

    @Test
    void ecPkcs8Key_isRead() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        PrivateKey ec = g.generateKeyPair().getPrivate();
        Path file = dir.resolve("ec-key.pem");
        TestPki.writePkcs8(ec, file);
        assertEquals("EC", EtcdTls.privateKey(file).getAlgorithm());
    }

    @Test
    void sec1EcKey_isRefusedWithTheConversionCommand() throws Exception {
        Path file = dir.resolve("sec1.pem");
        TestPki.writePem("EC PRIVATE KEY", new byte[] {0x30, 0x00}, file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EtcdTls.privateKey(file));
        assertTrue(e.getMessage().contains("openssl pkcs8 -topk8"), e.getMessage());
    }

    @Test
    void keyStore_holdsTheClientKeyAndChain() throws Exception {
        KeyStore ks = EtcdTls.keyStore(pki.clientCert(), pki.clientKey());
        assertTrue(ks.isKeyEntry("client"));
        assertEquals(1, ks.getCertificateChain("client").length);
    }

    @Test
    void factory_fromUrlStartsWithTrustAndClientCertificate() throws Exception {
        KvUrl url = KvUrl.parse("etcd://127.0.0.1:2379/p?cacert=" + pki.caCert() + "&cert=" + pki.clientCert()
                + "&key=" + pki.clientKey());
        assertTrue(EtcdTls.enabled(url));
        SslContextFactory.Client f = EtcdTls.factory(url);
        f.start();
        try {
            assertEquals("HTTPS", f.getEndpointIdentificationAlgorithm());
            assertTrue(f.getSslContext().getProtocol().startsWith("TLS"));
        } finally {
            f.stop();
        }
    }

    @Test
    void tlsSwitch_andHalfAClientCertificate() {
        assertFalse(EtcdTls.enabled(KvUrl.parse("etcd://127.0.0.1:2379/p")));
        assertTrue(EtcdTls.enabled(KvUrl.parse("etcd://127.0.0.1:2379/p?tls=true")));
        KvUrl half = KvUrl.parse("etcd://127.0.0.1:2379/p?cert=" + pki.clientCert());
        assertThrows(IllegalArgumentException.class, () -> EtcdTls.factory(half));
        KvUrl missing = KvUrl.parse("etcd://127.0.0.1:2379/p?cacert=/nonexistent/ca.pem");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EtcdTls.factory(missing));
        assertTrue(e.getMessage().contains("/nonexistent/ca.pem"), e.getMessage());
    }

    private static void assertSignsFor(PrivateKey key, X509Certificate cert, String algorithm) throws Exception {
        byte[] data = "berth".getBytes(StandardCharsets.UTF_8);
        Signature s = Signature.getInstance(algorithm);
        s.initSign(key);
        s.update(data);
        byte[] sig = s.sign();
        Signature v = Signature.getInstance(algorithm);
        v.initVerify(cert.getPublicKey());
        v.update(data);
        assertTrue(v.verify(sig), "the key belongs to the certificate");
    }
}
