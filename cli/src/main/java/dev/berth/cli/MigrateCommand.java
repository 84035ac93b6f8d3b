package dev.berth.cli;

import dev.berth.migrate.MigrationException;
import dev.berth.migrate.agent.AgentClient;
import dev.berth.migrate.agent.MigrationStatus;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code berth migrate CONTAINER --to HOST}: asks this host's migration agent (berth-migrate) to move a running
 * container and its berth/zfs volumes to another host, and follows it: round, bytes, rate, ETA, then the downtime.
 * Exit status 0 when done (or planned, with --dry-run), 1 when it failed or was rolled back (the container runs here),
 * 3 when in doubt (stopped here, and the target could not say whether it started it).
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {"Move a running container with its berth/zfs volumes to another host, keeping its address on "
                + "Berth networks; pre-copy while it runs, so it is down only for the last delta.",
            "Example: berth migrate db --to 10.0.0.12"})
final class MigrateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONTAINER", description = "the container (name or id) on this host")
    String container;

    @Option(names = "--to", required = true, paramLabel = "HOST",
            description = "the target host: its host id (/var/lib/berth/host-id) or its agent's address")
    String to;

    @Option(names = "--dry-run", description = "say what would be done, change nothing")
    boolean dryRun;

    @Option(names = "--keep-source", description = "keep this host's copy of the volumes (moved aside, not "
            + "visible to Docker) instead of destroying it")
    boolean keepSource;

    @Option(names = "--cold", description = "stop first, send everything, start there: no pre-copy (down for the "
            + "whole transfer)")
    boolean cold;

    @Option(names = "--json", description = "print each progress report as JSON (for automation)")
    boolean json;

    @Option(names = "--agent-socket", paramLabel = "PATH", description = "the agent's API socket (default: "
            + "${DEFAULT-VALUE})", defaultValue = "/var/lib/berth/migrate/agent.sock")
    Path socket;

    @Override
    public Integer call() throws Exception {
        AgentClient agent = new AgentClient(socket);
        String id;
        try {
            id = agent.start(container, to, dryRun, keepSource, cold);
        } catch (MigrationException e) {
            System.err.println("berth migrate: " + e.getMessage());
            return 2;
        }
        String last = "";
        MigrationStatus s;
        while (true) {
            s = agent.status(id);
            String line = json ? toJson(s) : progress(s);
            if (!line.equals(last)) {
                System.out.println(line);
                last = line;
            }
            if (s.finished()) {
                break;
            }
            Thread.sleep(500);
        }
        if (!json) {
            if (s.plan() != null) {
                s.plan().forEach(p -> System.out.println("  " + p));
            }
            System.out.println(summary(s));
        }
        return switch (s.state()) {
            case "done", "planned" -> 0;
            case "in-doubt" -> 3;
            default -> 1;
        };
    }

    static String progress(MigrationStatus s) {
        String rate = s.rate() == null || s.rate() == 0 ? "" : ", " + mib(s.rate()) + "/s";
        String eta = s.etaSeconds() == null || s.etaSeconds() == 0 ? "" : ", ETA " + s.etaSeconds() + " s";
        return String.format(Locale.ROOT, "%s round %d: %s of ~%s this round, %s in all%s%s - %s", s.state(),
                s.round() == null ? 0 : s.round(), mib(nz(s.roundBytes())), mib(nz(s.roundEstimate())),
                mib(nz(s.bytesSent())), rate, eta, s.message());
    }

    static String summary(MigrationStatus s) {
        return switch (s.state()) {
            case "done" -> "moved " + s.container() + " to " + s.target() + ": down " + s.downtimeMs()
                    + " ms, " + s.totalMs() + " ms in all, " + mib(nz(s.bytesSent())) + " sent in rounds " + s.rounds();
            case "planned" -> "dry run: nothing changed";
            default -> s.state() + ": " + (s.error() == null ? s.message() : s.error());
        };
    }

    private static String toJson(MigrationStatus s) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(s);
    }

    private static long nz(Long v) {
        return v == null ? 0 : v;
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
