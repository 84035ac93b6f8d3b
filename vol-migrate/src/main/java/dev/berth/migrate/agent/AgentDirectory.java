package dev.berth.migrate.agent;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.kv.KeyValue;
import dev.berth.kv.KvStore;
import dev.berth.kv.Lease;
import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import dev.berth.migrate.tls.PinnedPeers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Where the migration agents find each other, in the cluster store: {@code migrate/agents/<host-id>} =
 * {@code {host, address, port, certificate}} (the agent's self-signed certificate, PEM), under the agent's lease, so
 * a dead agent's record goes with it. Peers trust exactly the certificates found here (pinned by fingerprint): the
 * store is the cluster's trust root, as it already is for WireGuard's public keys.
 */
public final class AgentDirectory {
    public static final String PREFIX = "migrate/agents/";
    private final KvStore store;

    public AgentDirectory(KvStore store) {
        this.store = store;
    }

    /** One agent's record. */
    public record Agent(@JsonProperty("host") String host, @JsonProperty("address") String address,
                        @JsonProperty("port") int port, @JsonProperty("certificate") String certificate) {
        public InetSocketAddress socketAddress() {
            return new InetSocketAddress(address, port);
        }
    }

    public void publish(Agent agent, Lease lease) {
        try {
            store.put(PREFIX + agent.host(), AgentWire.JSON.writeValueAsBytes(agent), lease);
        } catch (IOException e) {
            throw new MigrationException(Kind.INTERNAL, "cannot encode the agent record: " + e.getMessage(), e);
        }
    }

    /** The agent of a host, by its host id or by the address its agent listens on. */
    public Optional<Agent> find(String host) {
        Optional<Agent> byId = host.matches("[0-9a-f]{32}") ? store.get(PREFIX + host).map(AgentDirectory::decode)
                : Optional.empty();
        if (byId.isPresent()) {
            return byId;
        }
        return store.list(PREFIX).entries().stream().map(AgentDirectory::decode)
                .filter(a -> a.host().equals(host) || a.address().equals(host)).findFirst();
    }

    /** The agent of {@code host}, its certificate pinned in {@code pins}; UNAVAILABLE when it has no record. */
    public Agent require(String host, PinnedPeers pins) {
        Agent a = find(host).orElseThrow(() -> new MigrationException(Kind.UNAVAILABLE, "host " + host
                + " has no migration agent in the store (" + PREFIX + host + "): is berth-migrate running there,"
                + " with the same store?"));
        pins.pinPem(a.host(), a.certificate());
        return a;
    }


    /** Every agent's certificate pinned (the server side trusts any agent of the cluster). */
    public void pinAll(PinnedPeers pins) {
        for (KeyValue kv : store.list(PREFIX).entries()) {
            Agent a = decode(kv);
            pins.pinPem(a.host(), a.certificate());
        }
    }

    private static Agent decode(KeyValue kv) {
        try {
            return AgentWire.JSON.readValue(kv.value(), Agent.class);
        } catch (IOException e) {
            throw new MigrationException(Kind.PROTOCOL, "unreadable agent record " + kv.key() + ": " + e.getMessage(),
                    e);
        }
    }
}
