package dev.berth.kv.embedded;

import dev.berth.kv.KvStore;
import dev.berth.kv.KvStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store against the contract: a real SQLite file in a fresh directory per test. */
@Tag("unit")
class EmbeddedStoreContractTest extends KvStoreContract {
    @TempDir
    Path dir;

    @Override
    protected KvStore open() {
        return EmbeddedStore.open(dir);
    }

    @Override
    protected KvStore openAnotherClient() {
        return EmbeddedStore.open(dir);
    }

    @Override
    protected void abandon(KvStore client) {
        ((EmbeddedStore) client).abandon();
    }
}
