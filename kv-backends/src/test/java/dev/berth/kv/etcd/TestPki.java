package dev.berth.kv.etcd;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away certificate authority for tests, made with the JDK's keytool: a CA, a server certificate for
 * 127.0.0.1/localhost and a client certificate signed by it, each written as PEM (keys as PKCS#8).
 */
final class TestPki {
    private static final String PASS = "changeit";

    record Material(Path dir, Path caCert, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {
        /** What a test's own HTTP client needs to reach a member that demands client certificates. */
        SSLContext clientContext() {
            try {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                trust.setCertificateEntry("ca", EtcdTls.certificates(caCert).get(0));
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
                // the key with the CA-signed certificate (client.p12 still holds keytool's self-signed one)
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("client", loadKey(dir.resolve("client.p12"), "client"), PASS.toCharArray(),
                        EtcdTls.certificates(clientCert).toArray(new java.security.cert.Certificate[0]));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, PASS.toCharArray());
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
                return ctx;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private TestPki() {
    }

    /** keyAlg: "RSA" or "EC". */
    static Material create(Path dir, String keyAlg) {
        keytool("-genkeypair", "-alias", "ca", "-keyalg", keyAlg, "-dname", "CN=berth-test-ca", "-ext", "bc:c",
                "-validity", "2", "-keystore", dir.resolve("ca.p12").toString());
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", dir.resolve("ca.p12").toString(),
                "-file", dir.resolve("ca.pem").toString());
        issue(dir, "server", keyAlg, "serverAuth,clientAuth");
        issue(dir, "client", keyAlg, "clientAuth");
        return new Material(dir, dir.resolve("ca.pem"), dir.resolve("server.pem"), dir.resolve("server-key.pem"),
                dir.resolve("client.pem"), dir.resolve("client-key.pem"));
    }

    private static void issue(Path dir, String name, String keyAlg, String usage) {
        String store = dir.resolve(name + ".p12").toString();
        keytool("-genkeypair", "-alias", name, "-keyalg", keyAlg, "-dname", "CN=" + name, "-validity", "2",
                "-keystore", store);
        keytool("-certreq", "-alias", name, "-keystore", store, "-file", dir.resolve(name + ".csr").toString());
        keytool("-gencert", "-alias", "ca", "-keystore", dir.resolve("ca.p12").toString(), "-rfc", "-validity", "2",
                "-infile", dir.resolve(name + ".csr").toString(), "-outfile", dir.resolve(name + ".pem").toString(),
                "-ext", "san=ip:127.0.0.1,dns:localhost", "-ext", "eku=" + usage);
        writePkcs8(loadKey(dir.resolve(name + ".p12"), name), dir.resolve(name + "-key.pem"));
    }

    static PrivateKey loadKey(Path p12, String alias) {
        try (InputStream in = Files.newInputStream(p12)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASS.toCharArray());
            return (PrivateKey) ks.getKey(alias, PASS.toCharArray());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void writePkcs8(PrivateKey key, Path file) {
        writePem("PRIVATE KEY", key.getEncoded(), file);
    }

    static void writePem(String type, byte[] der, Path file) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        try {
            Files.writeString(file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void keytool(String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        argv.addAll(List.of(args));
        argv.addAll(List.of("-storepass", PASS, "-storetype", "PKCS12", "-noprompt"));
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool " + String.join(" ", args) + ": " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
