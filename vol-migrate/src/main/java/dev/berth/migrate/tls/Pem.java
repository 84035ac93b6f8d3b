package dev.berth.migrate.tls;

import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** PEM text of certificates and PKCS#8 EC keys, certificate fingerprints and common names, with the JDK alone. */
final class Pem {
    private static final String CERT = "CERTIFICATE";
    private static final String KEY = "PRIVATE KEY";

    private Pem() {
    }

    static String certificate(X509Certificate cert) {
        try {
            return encode(CERT, cert.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new MigrationException(Kind.INTERNAL, "cannot encode certificate: " + e.getMessage(), e);
        }
    }

    static String privateKey(PrivateKey key) {
        return encode(KEY, key.getEncoded());
    }

    static X509Certificate parseCertificate(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new MigrationException(Kind.BAD_REQUEST, "not a PEM X.509 certificate: " + e.getMessage(), e);
        }
    }

    static PrivateKey parseEcPrivateKey(String pem) {
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(decode(KEY, pem)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new MigrationException(Kind.BAD_REQUEST, "not a PEM PKCS#8 EC private key: " + e.getMessage(), e);
        }
    }

    /** Lower-case hex SHA-256 of the certificate's DER encoding. */
    static String fingerprint(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new MigrationException(Kind.INTERNAL, "cannot fingerprint certificate: " + e.getMessage(), e);
        }
    }

    /** The subject's CN, or the empty string when it has none. */
    static String commonName(X509Certificate cert) {
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
            return "";
        } catch (InvalidNameException e) {
            return "";
        }
    }

    private static String encode(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] decode(String type, String pem) {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("no " + type + " block");
        }
        return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
    }
}
