package dev.berth.kv.etcd;

import dev.berth.kv.KvUrl;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * TLS towards etcd from the PEM files the store URL names, as etcd's own tools take them: {@code cacert} (the CAs to
 * trust instead of the JVM's), {@code cert} and {@code key} (a client certificate, for {@code --client-cert-auth}).
 * Keys may be PKCS#8 ({@code BEGIN PRIVATE KEY}: RSA, EC or Ed25519) or PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY},
 * what cfssl and {@code openssl genrsa} write). Host names are verified as for HTTPS.
 */
final class EtcdTls {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");
    /** Protects the client key only inside this process's memory; it is never written anywhere. */
    private static final char[] IN_MEMORY = "berth-in-memory".toCharArray();
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
        (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private EtcdTls() {
    }

    /** TLS is on when any of cacert, cert, key is given, or tls=true. */
    static boolean enabled(KvUrl url) {
        return url.params().containsKey("cacert") || url.params().containsKey("cert")
                || url.params().containsKey("key") || Boolean.parseBoolean(url.param("tls", "false"));
    }

    static SslContextFactory.Client factory(KvUrl url) {
        SslContextFactory.Client f = new SslContextFactory.Client();
        String ca = url.param("cacert", null);
        if (ca != null) {
            f.setTrustStore(trustStore(Path.of(ca)));
        }
        String cert = url.param("cert", null);
        String key = url.param("key", null);
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("etcd TLS: give both cert= and key= (a client certificate and its key)");
        }
        if (cert != null) {
            f.setKeyStore(keyStore(Path.of(cert), Path.of(key)));
            f.setKeyStorePassword(new String(IN_MEMORY));
            f.setKeyManagerPassword(new String(IN_MEMORY));
        }
        return f;
    }

    static KeyStore trustStore(Path caPem) {
        try {
            KeyStore ks = emptyStore();
            int i = 0;
            for (X509Certificate c : certificates(caPem)) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            return ks;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("etcd TLS: cacert " + caPem + ": " + e.getMessage(), e);
        }
    }

    /** A key store holding the client certificate (chain) and its private key, under {@link #IN_MEMORY}. */
    static KeyStore keyStore(Path certPem, Path keyPem) {
        List<X509Certificate> chain = certificates(certPem);
        PrivateKey key = privateKey(keyPem);
        try {
            KeyStore ks = emptyStore();
            ks.setKeyEntry("client", key, IN_MEMORY, chain.toArray(new Certificate[0]));
            return ks;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("etcd TLS: cert " + certPem + " with key " + keyPem + ": "
                    + e.getMessage(), e);
        }
    }

    static List<X509Certificate> certificates(Path pem) {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : cf.generateCertificates(new ByteArrayInputStream(read(pem)))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("etcd TLS: no certificate in " + pem);
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("etcd TLS: " + pem + " holds no readable PEM certificate: "
                    + e.getMessage(), e);
        }
    }

    static PrivateKey privateKey(Path pem) {
        Matcher m = PEM.matcher(new String(read(pem), StandardCharsets.US_ASCII));
        while (m.find()) {
            String type = m.group(1);
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            switch (type) {
                case "PRIVATE KEY":
                    return pkcs8(pem, der);
                case "RSA PRIVATE KEY":
                    return pkcs8(pem, rsaPkcs1ToPkcs8(der));
                case "ENCRYPTED PRIVATE KEY":
                case "EC PRIVATE KEY":
                    throw new IllegalArgumentException("etcd TLS: " + pem + " holds an " + type.toLowerCase()
                            + "; convert it with: openssl pkcs8 -topk8 -nocrypt -in " + pem + " -out key.pem");
                default:
                    // certificates or parameters before the key: skip them
            }
        }
        throw new IllegalArgumentException("etcd TLS: no PEM private key in " + pem);
    }

    private static PrivateKey pkcs8(Path pem, byte[] der) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        throw new IllegalArgumentException("etcd TLS: " + pem + ": not an RSA, EC or Ed25519 PKCS#8 private key");
    }

    /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo: SEQUENCE { 0, rsaEncryption, OCTET STRING key }. */
    static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM);
        body.write(0x04);
        body.writeBytes(derLength(pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        out.writeBytes(derLength(body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] derLength(int n) {
        if (n < 0x80) {
            return new byte[] {(byte) n};
        }
        int bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
        byte[] out = new byte[bytes + 1];
        out[0] = (byte) (0x80 | bytes);
        for (int i = bytes; i >= 1; i--) {
            out[i] = (byte) n;
            n >>>= 8;
        }
        return out;
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return ks;
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("etcd TLS: cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
