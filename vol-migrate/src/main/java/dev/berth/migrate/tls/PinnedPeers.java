package dev.berth.migrate.tls;

import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The peers an agent talks to: certificates pinned by their SHA-256 fingerprint, each with the host id it belongs
 * to. Filled (and kept current) from the cluster store, where each agent publishes its certificate PEM under its host
 * lease. Thread-safe: pins can change while connections are being made; a connection checks at its handshake.
 *
 * <p>Only the exact pinned certificate is trusted: no CA, no chain, no host name check. A certificate whose CN is not
 * the host id it is pinned for is refused at pin time, so a host cannot publish its certificate under another name.
 */
public final class PinnedPeers {
    private final Map<String, String> hostByFingerprint = new ConcurrentHashMap<>();
    private final Map<String, String> fingerprintByHost = new ConcurrentHashMap<>();

    /**
     * Trusts {@code certificate} as host {@code hostId}, replacing that host's previous certificate.
     *
     * @throws MigrationException BAD_REQUEST when the certificate's CN is not {@code hostId}
     */
    public synchronized void pin(String hostId, X509Certificate certificate) {
        String cn = Pem.commonName(certificate);
        if (!cn.equals(hostId)) {
            throw new MigrationException(Kind.BAD_REQUEST, "certificate of " + cn + " published for host " + hostId);
        }
        unpin(hostId);
        String fp = Pem.fingerprint(certificate);
        hostByFingerprint.put(fp, hostId);
        fingerprintByHost.put(hostId, fp);
    }

    /** {@link #pin} of a certificate in PEM text, as agents publish it. */
    public void pinPem(String hostId, String certificatePem) {
        pin(hostId, Pem.parseCertificate(certificatePem));
    }

    /** No longer trusts the host (its lease expired, it left the cluster). */
    public synchronized void unpin(String hostId) {
        String old = fingerprintByHost.remove(hostId);
        if (old != null) {
            hostByFingerprint.remove(old);
        }
    }

    /** The host this exact certificate is pinned for. */
    public Optional<String> hostIdOf(X509Certificate certificate) {
        return Optional.ofNullable(hostByFingerprint.get(Pem.fingerprint(certificate)));
    }

    /** The pinned fingerprint of a host. */
    public Optional<String> fingerprintOf(String hostId) {
        return Optional.ofNullable(fingerprintByHost.get(hostId));
    }

    /** Lower-case hex SHA-256 of a certificate's DER encoding. */
    public static String fingerprint(X509Certificate certificate) {
        return Pem.fingerprint(certificate);
    }

    @Override
    public String toString() {
        return "PinnedPeers" + fingerprintByHost.keySet();
    }
}
