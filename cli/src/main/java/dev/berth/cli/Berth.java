package dev.berth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code berth} command. The {@code ./berth} script at the repository root builds and runs it. */
@Command(name = "berth", mixinStandardHelpOptions = true, versionProvider = Berth.Version.class,
        description = {"Docker plugins for multi-host networks and ZFS volumes that move.", ""},
        subcommands = {UpCommand.class, DownCommand.class, StatusCommand.class, LabCommand.class, VolumeCommand.class,
            WireGuardCommand.class, MigrateCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Set-up on a fresh machine:  ./berth up      (this host's Docker, embedded store)",
            "Tests:                      ./berth test    (every tier; needs root)",
            "Benchmarks:                 ./berth bench start"})
public final class Berth implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cli = new CommandLine(new Berth());
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("berth: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Berth.class.getPackage().getImplementationVersion();
            return new String[] {"berth " + (v == null ? "0.1.0-SNAPSHOT" : v)};
        }
    }
}
