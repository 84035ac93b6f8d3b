package dev.berth.cli;

import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "lab", mixinStandardHelpOptions = true,
        description = "Several Docker hosts on this one machine (network, mount and UTS namespaces on a shared underlay), "
                + "each with the suite installed, for end-to-end tests and benchmarks.",
        subcommands = {LabCommand.Up.class, LabCommand.Down.class, LabCommand.Env.class, LabCommand.Status.class})
final class LabCommand implements Runnable {
    static final List<String> PACKAGES = List.of("docker.io", "etcd-server", "etcd-client", "busybox-static",
            "iptables", "iproute2", "util-linux");

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "up", mixinStandardHelpOptions = true, description = "Start a lab (replacing any earlier one).")
    static final class Up implements Callable<Integer> {
        @Option(names = "--hosts", defaultValue = "3", description = "number of Docker hosts, 1..8 (default: ${DEFAULT-VALUE})")
        int hosts;

        @Option(names = "--kv", paramLabel = "etcd|none", defaultValue = "none",
                description = "run a real etcd for the cluster store (default: ${DEFAULT-VALUE}: embedded store per host)")
        String kv;

        @Option(names = "--plugin-input", paramLabel = "DIR",
                description = "also install the plugin built in DIR (plugin.json + lib/*.jar) on every host; repeatable")
        List<java.nio.file.Path> pluginInputs = new java.util.ArrayList<>();

        @Override
        public Integer call() {
            if (!kv.equals("etcd") && !kv.equals("none")) {
                throw new IllegalArgumentException("--kv " + kv + ": the lab runs etcd or nothing");
            }
            Apt.ensure(PACKAGES, Output::say);
            SuiteInstall suite = new SuiteInstall(Home.detect(), pluginInputs, Output::say);
            List<LabHost> up = Lab.standard().reporting(Output::say)
                    .up(new LabSpec(hosts, kv.equals("etcd")), (h, store) -> suite.install(h.docker(), store));
            for (LabHost h : up) {
                Output.say(h.name() + ": " + h.dockerHost() + "  (underlay " + h.underlayAddress() + ")");
            }
            Output.say("lab up: " + up.size() + " hosts; `./berth lab env h1` prints DOCKER_HOST for h1");
            return 0;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Remove every namespace, process, mount and interface the lab made.")
    static final class Down implements Callable<Integer> {
        @Override
        public Integer call() {
            Lab lab = Lab.standard().reporting(Output::say);
            lab.down();
            List<String> left = lab.leftovers();
            if (!left.isEmpty()) {
                left.forEach(l -> Output.say("left behind: " + l));
                return 1;
            }
            Output.say("lab down: nothing left");
            return 0;
        }
    }

    @Command(name = "env", mixinStandardHelpOptions = true,
            description = "Print `export DOCKER_HOST=...` for a lab host: eval \"$(./berth lab env h1)\"")
    static final class Env implements Callable<Integer> {
        @Parameters(paramLabel = "HOST", description = "h1, h2, ...")
        String host;

        @Override
        public Integer call() {
            System.out.println(Lab.standard().env(host));
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "The lab's hosts and their plugins.")
    static final class Status implements Callable<Integer> {
        @Override
        public Integer call() {
            Lab lab = Lab.standard();
            List<LabHost> hosts = lab.hosts();
            if (hosts.isEmpty()) {
                Output.say("no lab is running");
                return 1;
            }
            Output.say("store: " + lab.kvUrl().orElse("embedded per host"));
            boolean healthy = true;
            for (LabHost h : hosts) {
                boolean answers = h.docker().answers();
                Output.say(h.name() + " " + h.dockerHost() + (answers ? "" : "  NOT ANSWERING"));
                List<String> lines = new ArrayList<>();
                healthy &= answers && StatusCommand.report(h.docker(), h.pluginDir(), lines);
                lines.forEach(l -> Output.say("  " + l));
            }
            return healthy ? 0 : 1;
        }
    }
}
