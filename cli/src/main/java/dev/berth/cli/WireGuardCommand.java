package dev.berth.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.exec.CommandResult;
import dev.berth.exec.DockerCli;
import dev.berth.kv.KeyValue;
import dev.berth.kv.KvStore;
import dev.berth.kv.KvStores;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code berth wireguard rotate-key}: asks this host's berth/wireguard plugin to rotate its key pair without dropping
 * connections (net-wireguard README, "Key rotation"). The channel is the cluster store, which the plugin watches
 * already: the command writes {@code wireguard/rotate/<host-id>} = {id}, and follows
 * {@code wireguard/rotate-status/<host-id>} = {id, state running|done|failed, publicKey, message}, printing progress,
 * until the new key is in force. These key names and fields are those of {@code WireGuardDriver.ROTATE_REQUESTS},
 * {@code ROTATE_STATUS} and {@code RotateStatus} in net-wireguard (not a dependency of the cli).
 */
@CommandLine.Command(name = "wireguard", mixinStandardHelpOptions = true,
        description = {"berth/wireguard networks: rotate-key (this host's key pair, without dropping connections)",
            "Example: berth wireguard rotate-key"},
        subcommands = {WireGuardCommand.RotateKey.class})
final class WireGuardCommand implements Runnable {
    static final String REQUESTS = "wireguard/rotate/";
    static final String STATUS = "wireguard/rotate-status/";
    static final String PLUGIN = "berth/wireguard";
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    record Status(@JsonProperty("id") String id, @JsonProperty("state") String state,
                  @JsonProperty("publicKey") String publicKey, @JsonProperty("message") String message) {
    }

    @CommandLine.Command(name = "rotate-key", mixinStandardHelpOptions = true,
            description = {"Rotate this host's WireGuard key pair: the plugin announces the new key to every peer "
                + "host, switches once they have it, and they commit it (no connection drops).",
                "Needs the cluster store (BERTH_KV of the plugin): with the embedded store there is one host, and "
                    + "a restart of the plugin after replacing the key is the same."})
    static final class RotateKey implements Callable<Integer> {
        @Option(names = "--kv", paramLabel = "URL",
                description = "the cluster store (default: BERTH_KV of the installed berth/wireguard plugin)")
        String kv;

        @Option(names = "--host-id-file", paramLabel = "FILE", defaultValue = "/var/lib/berth/host-id",
                description = "this host's ID, shared by the Berth plugins (default: ${DEFAULT-VALUE})")
        Path hostIdFile;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
                description = "how long to wait for the new key to be in force (default: ${DEFAULT-VALUE})")
        int timeoutSeconds;

        @Option(names = "--docker-host", paramLabel = "URL", defaultValue = DockerEngine.LOCAL,
                description = "Docker engine to read the plugin's settings from (default: ${DEFAULT-VALUE})")
        String dockerHost;

        @Override
        public Integer call() {
            String hostId = hostId(hostIdFile);
            String url = kv != null ? KvUrl.parse(kv).orElseThrow(() -> new IllegalArgumentException(
                    "--kv must name the cluster store")) : installedKv(DockerCli.forHost(dockerHost));
            try (KvStore store = KvStores.open(url)) {
                return rotate(store, hostId, Duration.ofSeconds(timeoutSeconds), System.out, System.err);
            }
        }
    }

    /** Asks the plugin of {@code hostId} to rotate and follows it: 0 done, 1 failed or timed out. */
    static int rotate(KvStore store, String hostId, Duration timeout, PrintStream out, PrintStream err) {
        String id = UUID.randomUUID().toString();
        try {
            store.put(REQUESTS + hostId, JSON.writeValueAsBytes(new Status(id, "requested", null, null)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.println("asked host " + hostId + " to rotate its WireGuard key (request " + id + ")");
        long end = System.nanoTime() + timeout.toNanos();
        String lastMessage = null;
        while (System.nanoTime() < end) {
            Optional<Status> st = store.get(STATUS + hostId).map(WireGuardCommand::decode)
                    .filter(s -> id.equals(s.id()));
            if (st.isPresent()) {
                Status s = st.get();
                if (s.message() != null && !s.message().equals(lastMessage)) {
                    out.println("  " + s.message());
                    lastMessage = s.message();
                }
                if ("done".equals(s.state())) {
                    out.println("the new public key is in force: " + s.publicKey());
                    return 0;
                }
                if ("failed".equals(s.state())) {
                    err.println("berth: key rotation failed: " + s.message());
                    return 1;
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
        err.println("berth: no answer within " + timeout.toSeconds() + " s: is the berth/wireguard plugin running on "
                + "this host with the same store? The request stays in the store; the plugin serves it when it starts.");
        return 1;
    }

    private static Status decode(KeyValue kv) {
        try {
            return JSON.readValue(kv.value(), Status.class);
        } catch (IOException e) {
            return new Status(null, null, null, null);
        }
    }

    /** The host ID file's content; it is never created here (that is the plugins' job). */
    static String hostId(Path file) {
        try {
            String id = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!id.matches("[0-9a-f]{32}")) {
                throw new IllegalArgumentException(file + " does not hold a host ID (32 hex digits)");
            }
            return id;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + " does not exist: is berth/wireguard installed on this host?");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** BERTH_KV of the installed berth/wireguard container; refused when it is empty (the embedded store). */
    static String installedKv(DockerCli docker) {
        CommandResult r = docker.command("inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}",
                dev.berth.packaging.ContainerPluginInstaller.containerName(PLUGIN)).run();
        if (!r.ok()) {
            throw new IllegalArgumentException("no berth/wireguard container found to read BERTH_KV from: give --kv");
        }
        String kv = r.stdout().lines().filter(l -> l.startsWith("BERTH_KV=")).map(l -> l.substring(9)).findFirst()
                .orElse("");
        if (kv.isBlank()) {
            throw new IllegalArgumentException("berth/wireguard uses the embedded store (one host, BERTH_KV empty): "
                    + "there are no peer hosts to coordinate with. Give --kv if that is not so.");
        }
        return kv;
    }
}
