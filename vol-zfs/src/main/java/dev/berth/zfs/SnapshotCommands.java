package dev.berth.zfs;

import dev.berth.host.error.BerthException;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The logic of {@code berth volume snapshot ...}, for the {@code berth} command to call. It works on the host's ZFS
 * directly through the same {@link Volumes} the plugin uses: the plugin socket serves only Docker's protocol (the
 * plugin host's routes are closed), and every piece of state is in ZFS, so both see the same truth.
 *
 * <pre>
 * berth volume snapshot create VOLUME SNAPSHOT
 * berth volume snapshot ls VOLUME
 * berth volume snapshot rollback VOLUME SNAPSHOT [--force]     (destroys later snapshots)
 * berth volume snapshot rm VOLUME SNAPSHOT
 * berth volume snapshot clone VOLUME SNAPSHOT NEW_VOLUME [-o key=value ...]
 * </pre>
 */
public final class SnapshotCommands {
    static final String USAGE = String.join("\n",
            "usage: berth volume snapshot create VOLUME SNAPSHOT",
            "       berth volume snapshot ls VOLUME",
            "       berth volume snapshot rollback VOLUME SNAPSHOT [--force]",
            "       berth volume snapshot rm VOLUME SNAPSHOT",
            "       berth volume snapshot clone VOLUME SNAPSHOT NEW_VOLUME [-o key=value ...]");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);
    private final Volumes volumes;

    public SnapshotCommands(Volumes volumes) {
        this.volumes = volumes;
    }

    /** Over the host's {@code zfs} command, for volumes under {@code parent} (the plugin's BERTH_ZFS_PARENT). */
    public static SnapshotCommands forParent(String parent) {
        return new SnapshotCommands(new Volumes(ZfsCli.standard(), parent, java.time.Clock.systemUTC()));
    }

    /**
     * Runs one subcommand; prints results to {@code out} and problems to {@code err}.
     *
     * @return the exit code: 0 done, 1 refused or failed, 2 usage error
     */
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            err.println(USAGE);
            return 2;
        }
        List<String> rest = args.subList(1, args.size());
        try {
            switch (args.get(0)) {
                case "create" -> {
                    need(rest, 2);
                    Zfs.Snapshot s = volumes.snapshots().take(rest.get(0), rest.get(1));
                    out.println("created " + rest.get(0) + "@" + s.shortName());
                }
                case "ls", "list" -> {
                    need(rest, 1);
                    out.println(String.format("%-32s %-21s %s", "SNAPSHOT", "CREATED", "USED"));
                    for (Zfs.Snapshot s : volumes.snapshots().list(rest.get(0))) {
                        out.println(String.format("%-32s %-21s %d", s.shortName(),
                                TIME.format(Instant.ofEpochSecond(s.creation())), s.used()));
                    }
                }
                case "rollback" -> {
                    boolean force = rest.contains("--force");
                    List<String> positional = new ArrayList<>(rest);
                    positional.remove("--force");
                    need(positional, 2);
                    volumes.snapshots().rollback(positional.get(0), positional.get(1), force);
                    out.println("rolled " + positional.get(0) + " back to " + positional.get(1));
                }
                case "rm", "delete" -> {
                    need(rest, 2);
                    volumes.snapshots().delete(rest.get(0), rest.get(1));
                    out.println("deleted " + rest.get(0) + "@" + rest.get(1));
                }
                case "clone" -> {
                    Map<String, String> opts = new LinkedHashMap<>();
                    List<String> positional = new ArrayList<>();
                    for (int i = 0; i < rest.size(); i++) {
                        if (rest.get(i).equals("-o") && i + 1 < rest.size()) {
                            String kv = rest.get(++i);
                            int eq = kv.indexOf('=');
                            if (eq <= 0) {
                                throw new UsageException("-o takes key=value, not '" + kv + "'");
                            }
                            opts.put(kv.substring(0, eq), kv.substring(eq + 1));
                        } else {
                            positional.add(rest.get(i));
                        }
                    }
                    need(positional, 3);
                    volumes.snapshots().cloneTo(positional.get(0), positional.get(1), positional.get(2), opts);
                    out.println("created volume " + positional.get(2) + " from " + positional.get(0) + "@"
                            + positional.get(1));
                }
                default -> throw new UsageException("unknown subcommand '" + args.get(0) + "'");
            }
            return 0;
        } catch (UsageException e) {
            err.println(e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (BerthException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static void need(List<String> args, int n) {
        if (args.size() != n) {
            throw new UsageException("expected " + n + " argument(s), got " + args.size());
        }
    }

    private static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
