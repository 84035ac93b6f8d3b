package dev.berth.migrate.zfs;

import dev.berth.migrate.MigrationException;
import dev.berth.migrate.MigrationException.Kind;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@link SnapshotStreams} in memory, for protocol tests without root: a dataset is a list of snapshots, each with a
 * GUID and some bytes. Its stream is {@code magic, guid, fromGuid, name, length, bytes, end magic}; a receive applies
 * it only once it read the end (as ZFS does), and refuses an incremental whose base is not the target's latest.
 */
public final class FakeSnapshotStreams implements SnapshotStreams {
    private static final int MAGIC = 0x5A465331;
    private static final int END = 0x454E4421;
    private final Map<String, List<Snap>> datasets = new ConcurrentHashMap<>();
    /** When set, received snapshots get another GUID than the stream's (to test the sender's check). */
    public volatile boolean corruptReceivedGuids;

    private record Snap(String name, long guid, byte[] data) {
    }

    /** Takes a snapshot of {@code dataset} holding {@code data}. */
    public synchronized long snapshot(String dataset, String shortName, byte[] data) {
        long guid = ThreadLocalRandom.current().nextLong();
        datasets.computeIfAbsent(dataset, d -> new ArrayList<>()).add(new Snap(dataset + "@" + shortName, guid, data));
        return guid;
    }

    /** The bytes a snapshot holds. */
    public synchronized byte[] data(String snapshot) {
        return find(snapshot).data();
    }

    private synchronized Snap find(String snapshot) {
        String dataset = snapshot.substring(0, snapshot.indexOf('@'));
        return datasets.getOrDefault(dataset, List.of()).stream().filter(s -> s.name().equals(snapshot)).findFirst()
                .orElseThrow(() -> new MigrationException(Kind.NOT_FOUND, snapshot + " does not exist"));
    }

    @Override
    public long send(String snapshot, String fromOrNull, OutputStream out) {
        Snap s = find(snapshot);
        long fromGuid = fromOrNull == null ? 0 : find(fromOrNull.startsWith("@")
                ? snapshot.substring(0, snapshot.indexOf('@')) + fromOrNull : fromOrNull).guid();
        var buf = new ByteArrayOutputStream();
        try (var data = new DataOutputStream(buf)) {
            data.writeInt(MAGIC);
            data.writeLong(s.guid());
            data.writeLong(fromGuid);
            data.writeUTF(s.name().substring(s.name().indexOf('@') + 1));
            data.writeInt(s.data().length);
            data.write(s.data());
            data.writeInt(END);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        try {
            byte[] bytes = buf.toByteArray();
            for (int off = 0; off < bytes.length; off += 8192) {
                out.write(bytes, off, Math.min(8192, bytes.length - off));
            }
            return bytes.length;
        } catch (IOException e) {
            throw new MigrationException(Kind.TRUNCATED, "send of " + snapshot + " cut: " + e.getMessage(), e);
        }
    }

    @Override
    public long receive(String dataset, InputStream in, boolean force) {
        var counting = new java.io.ByteArrayOutputStream();
        try {
            in.transferTo(counting);
        } catch (IOException e) {
            throw new MigrationException(Kind.TRUNCATED, "receive into " + dataset + " cut: " + e.getMessage(), e);
        }
        byte[] all = counting.toByteArray();
        try (var data = new DataInputStream(new java.io.ByteArrayInputStream(all))) {
            if (data.readInt() != MAGIC) {
                throw new MigrationException(Kind.TRUNCATED, "invalid backup stream");
            }
            long guid = data.readLong();
            long fromGuid = data.readLong();
            String name = data.readUTF();
            byte[] bytes = data.readNBytes(data.readInt());
            if (data.readInt() != END) {
                throw new MigrationException(Kind.TRUNCATED, "invalid backup stream");
            }
            synchronized (this) {
                List<Snap> there = datasets.getOrDefault(dataset, List.of());
                if (fromGuid == 0 && !there.isEmpty()) {
                    throw new MigrationException(Kind.CONFLICT, "destination '" + dataset + "' exists");
                }
                if (fromGuid != 0 && (there.isEmpty() || there.get(there.size() - 1).guid() != fromGuid)) {
                    throw new MigrationException(Kind.CONFLICT, "most recent snapshot of " + dataset
                            + " does not match incremental source");
                }
                long stored = corruptReceivedGuids ? guid + 1 : guid;
                datasets.computeIfAbsent(dataset, d -> new ArrayList<>()).add(new Snap(dataset + "@" + name, stored,
                        bytes));
            }
            return all.length;
        } catch (EOFException e) {
            throw new MigrationException(Kind.TRUNCATED, "invalid backup stream (" + all.length + " bytes)", e);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public long guid(String snapshot) {
        return find(snapshot).guid();
    }

    @Override
    public synchronized List<SnapshotId> snapshots(String dataset) {
        return datasets.getOrDefault(dataset, List.of()).stream().map(s -> new SnapshotId(s.name(), s.guid())).toList();
    }

    @Override
    public long estimateBytes(String snapshot, String fromOrNull) {
        return send(snapshot, fromOrNull, OutputStream.nullOutputStream());
    }

    @Override
    public boolean supportsResumableReceive() {
        return false;
    }
}
