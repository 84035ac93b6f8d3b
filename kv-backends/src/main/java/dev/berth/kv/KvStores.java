package dev.berth.kv;

import dev.berth.kv.consul.ConsulStore;
import dev.berth.kv.embedded.EmbeddedStore;
import dev.berth.kv.etcd.EtcdStore;
import dev.berth.kv.zk.ZkStore;
import java.nio.file.Path;

/**
 * Opens the store a URL names (see {@link KvUrl}). The default of {@code berth up}, with no cluster store, is the
 * embedded store in {@value #DEFAULT_EMBEDDED}.
 */
public final class KvStores {
    public static final String DEFAULT_EMBEDDED = "embedded:///var/lib/berth/kv";

    private KvStores() {
    }

    /** Opens the store; a null or blank URL opens the embedded default. */
    public static KvStore open(String url) {
        KvUrl parsed = KvUrl.parse(url == null || url.isBlank() ? DEFAULT_EMBEDDED : url);
        return switch (parsed.scheme()) {
            case "embedded" -> EmbeddedStore.open(parsed);
            case "etcd" -> EtcdStore.open(parsed);
            case "zk" -> ZkStore.open(parsed);
            case "consul" -> ConsulStore.open(parsed);
            default -> throw new IllegalArgumentException("unknown store " + parsed.scheme());
        };
    }

    /** The embedded store in a directory (tests, tools). */
    public static KvStore embedded(Path dir) {
        return EmbeddedStore.open(dir);
    }
}
