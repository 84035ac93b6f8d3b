package dev.berth.dns;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.kv.KeyValue;
import dev.berth.kv.KvException;
import dev.berth.kv.KvStore;
import dev.berth.kv.PrefixView;
import dev.berth.kv.WatchEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every host's records, kept current by a watch (list + watch, relisting after a reset), turned into a fresh
 * {@link NameIndex} after each change. Queries read the current index; while the store is unreachable the last one
 * keeps answering.
 */
public final class RecordView implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RecordView.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final PrefixView view;
    private final String localHost;
    private volatile NameIndex index = NameIndex.EMPTY;

    private RecordView(KvStore store, String localHost) {
        this.localHost = localHost;
        this.view = PrefixView.start(store, Publisher.PREFIX, new PrefixView.Listener() {
            @Override
            public void onChange(List<WatchEvent> changes) {
                rebuild();
            }

            @Override
            public void onStale(KvException error) {
                LOG.warn("the store is unreachable ({}); answering from the last view", error.getMessage());
            }
        });
        rebuild();
    }

    /** Lists the records (throws if the store is unreachable) and follows them. */
    public static RecordView start(KvStore store, String localHost) {
        return new RecordView(store, localHost);
    }

    public NameIndex index() {
        return index;
    }

    private void rebuild() {
        if (view == null) {
            return;
        }
        List<ContainerRecord> records = new ArrayList<>();
        for (KeyValue kv : view.snapshot().values()) {
            try {
                records.add(JSON.readValue(kv.value(), ContainerRecord.class));
            } catch (IOException e) {
                LOG.warn("skipping an unreadable record at {}: {}", kv.key(), e.getMessage());
            }
        }
        index = new NameIndex(records, localHost);
    }

    @Override
    public void close() {
        view.close();
    }
}
