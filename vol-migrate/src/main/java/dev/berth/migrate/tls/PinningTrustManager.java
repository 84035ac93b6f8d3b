package dev.berth.migrate.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a peer (client or server) exactly when its leaf certificate is pinned in {@link PinnedPeers}. Extends the
 * extended trust manager so that JSSE adds no host name check: the pin is the whole check. Validity dates are not
 * checked either: there is no CA to re-issue, and unpinning is how a certificate stops being trusted.
 */
final class PinningTrustManager extends X509ExtendedTrustManager {
    private static final X509Certificate[] NONE = new X509Certificate[0];
    private final PinnedPeers pins;

    PinningTrustManager(PinnedPeers pins) {
        this.pins = pins;
    }

    private void check(X509Certificate[] chain, String side) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the " + side + " sent no certificate");
        }
        if (pins.hostIdOf(chain[0]).isEmpty()) {
            throw new CertificateException("the " + side + "'s certificate (" + chain[0].getSubjectX500Principal()
                    + ", sha256 " + Pem.fingerprint(chain[0]) + ") is not pinned");
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, "client");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, "server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain, "client");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain, "server");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain, "client");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain, "server");
    }

    /** No CA names are sent: a client then offers its one certificate whatever the server would accept. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return NONE;
    }
}
