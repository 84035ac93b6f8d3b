package dev.berth.migrate.tls;

import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * One host's migration-agent identity: an EC P-256 key pair and a self-signed X.509 certificate whose CN is the host
 * id. Kept in a directory readable by root alone ({@code agent.key}, PKCS#8 PEM, and {@code agent.crt}, PEM; both
 * 0600, the directory 0700) and re-used on restart, so that the fingerprint other agents pinned stays valid.
 *
 * <p>Peers trust it by pinning its certificate ({@link PinnedPeers}); no CA is involved, so the certificate carries
 * a long validity (10 years) and is replaced only by deleting the directory, which changes the fingerprint.
 */
public final class AgentIdentity {
    static final String KEY_FILE = "agent.key";
    static final String CERT_FILE = "agent.crt";
    private static final Pattern HOST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Duration VALIDITY = Duration.ofDays(3650);

    private final String hostId;
    private final PrivateKey privateKey;
    private final X509Certificate certificate;

    private AgentIdentity(String hostId, PrivateKey privateKey, X509Certificate certificate) {
        this.hostId = hostId;
        this.privateKey = privateKey;
        this.certificate = certificate;
    }

    /**
     * The identity kept in {@code dir}, made there first if absent.
     *
     * @throws MigrationException CONFLICT when the directory holds the identity of another host id, BAD_REQUEST for
     *                            a host id outside {@code [A-Za-z0-9][A-Za-z0-9_.-]*} (at most 128) or unreadable files
     */
    public static AgentIdentity loadOrCreate(Path dir, String hostId) {
        Objects.requireNonNull(dir, "dir");
        if (hostId == null || !HOST_ID.matcher(hostId).matches()) {
            throw new MigrationException(Kind.BAD_REQUEST, "bad host id: " + hostId);
        }
        Path keyFile = dir.resolve(KEY_FILE);
        Path certFile = dir.resolve(CERT_FILE);
        try {
            if (Files.exists(keyFile) && Files.exists(certFile)) {
                AgentIdentity id = new AgentIdentity(hostId, Pem.parseEcPrivateKey(Files.readString(keyFile)),
                        Pem.parseCertificate(Files.readString(certFile)));
                String cn = Pem.commonName(id.certificate);
                if (!cn.equals(hostId)) {
                    throw new MigrationException(Kind.CONFLICT, dir + " holds the identity of host " + cn + ", not "
                            + hostId);
                }
                return id;
            }
            AgentIdentity id = generate(hostId);
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rwx------")));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            writePrivate(keyFile, Pem.privateKey(id.privateKey));
            writePrivate(certFile, Pem.certificate(id.certificate));
            return id;
        } catch (IOException e) {
            throw new MigrationException(Kind.INTERNAL, "agent identity in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** A fresh identity kept in memory only (tests, one-off tools). */
    public static AgentIdentity generate(String hostId) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair pair = gen.generateKeyPair();
            X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, hostId).build();
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(128, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(VALIDITY)), name, pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            return new AgentIdentity(hostId, pair.getPrivate(), cert);
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new MigrationException(Kind.INTERNAL, "cannot make a certificate for " + hostId + ": "
                    + e.getMessage(), e);
        }
    }

    /** Written to a 0600 temporary file beside it, then moved into place: never readable by others, never half. */
    private static void writePrivate(Path file, String text) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public String hostId() {
        return hostId;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** What this agent publishes under its host lease for the others to pin. */
    public String certificatePem() {
        return Pem.certificate(certificate);
    }

    /** Lower-case hex SHA-256 of the certificate (what peers pin). */
    public String fingerprint() {
        return Pem.fingerprint(certificate);
    }

    PrivateKey privateKey() {
        return privateKey;
    }

    @Override
    public String toString() {
        return "AgentIdentity(" + hostId + ", sha256 " + fingerprint() + ")";
    }
}
