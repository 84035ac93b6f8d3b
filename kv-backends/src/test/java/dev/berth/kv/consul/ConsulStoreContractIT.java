package dev.berth.kv.consul;

import dev.berth.kv.KvStore;
import dev.berth.kv.KvStoreContract;
import dev.berth.kv.KvUrl;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The contract suite against a real Consul, where {@code CONSUL_HTTP_ADDR} names one ({@code 127.0.0.1:8500},
 * {@code http://...} or {@code https://...}); {@code CONSUL_HTTP_TOKEN} and {@code CONSUL_CACERT} are used when set,
 * as the consul CLI does. Each test gets its own prefix {@code berth-test/<uuid>}.
 *
 * <p>Not yet run against a real Consul (none could be installed where the store was written; see
 * {@link ConsulStore}). Leases: Consul's shortest TTL is 10 s and it invalidates a session up to twice its TTL after
 * the last renewal, and the other store's reaper then deletes the keys, hence the longer expiry grace.
 */
@Tag("integration")
@EnabledIfEnvironmentVariable(named = "CONSUL_HTTP_ADDR", matches = ".+")
class ConsulStoreContractIT extends KvStoreContract {
    private String prefix;

    @Override
    protected KvStore open() {
        prefix = "berth-test/" + UUID.randomUUID();
        return openAnotherClient();
    }

    @Override
    protected KvStore openAnotherClient() {
        String addr = System.getenv("CONSUL_HTTP_ADDR");
        boolean tls = addr.startsWith("https://");
        addr = addr.replaceFirst("^https?://", "");
        StringBuilder url = new StringBuilder("consul://" + addr + "/" + prefix + "?timeout=5s");
        if (tls) {
            url.append("&tls=true");
        }
        String token = System.getenv("CONSUL_HTTP_TOKEN");
        if (token != null && !token.isEmpty()) {
            url.append("&token=").append(java.net.URLEncoder.encode(token, java.nio.charset.StandardCharsets.UTF_8));
        }
        String ca = System.getenv("CONSUL_CACERT");
        if (ca != null && !ca.isEmpty()) {
            url.append("&cacert=").append(ca);
        }
        return ConsulStore.open(KvUrl.parse(url.toString()));
    }

    @Override
    protected Duration expiryGrace(Duration ttl) {
        return ConsulLease.effectiveTtl(ttl).multipliedBy(2).plusSeconds(5);
    }

    @Override
    protected void abandon(KvStore client) {
        ((ConsulStore) client).abandonLeases();
    }
}
