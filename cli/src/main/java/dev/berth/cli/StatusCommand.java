package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.exec.DockerCli;
import dev.berth.packaging.PluginInstaller;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Each Berth plugin on a Docker host: enabled, answering on its socket, version, store reachable. "
                + "Exit status 0 only when every plugin is enabled, answering and healthy.")
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--docker-host", paramLabel = "URL", defaultValue = DockerEngine.LOCAL,
            description = "Docker engine (default: ${DEFAULT-VALUE})")
    String dockerHost;

    @Option(names = "--plugin-dir", paramLabel = "DIR", defaultValue = "/run/docker/plugins",
            description = "where that engine keeps managed plugins' sockets, as seen from here (default: ${DEFAULT-VALUE})")
    Path pluginDir;

    @Override
    public Integer call() {
        DockerCli docker = DockerCli.forHost(dockerHost);
        if (!docker.answers()) {
            Output.say("Docker: not answering at " + dockerHost);
            return 1;
        }
        List<String> lines = new ArrayList<>();
        boolean healthy = report(docker, pluginDir, lines);
        lines.forEach(Output::say);
        return healthy ? 0 : 1;
    }

    /** Appends one line per plugin; true when all are enabled, answering and healthy. */
    static boolean report(DockerCli docker, Path pluginDir, List<String> lines) {
        List<PluginInstaller.Installed> plugins = new PluginInstaller(docker).installedBerthPlugins();
        if (plugins.isEmpty()) {
            lines.add("no Berth plugins installed (run ./berth up)");
            return true;
        }
        boolean healthy = true;
        lines.add(String.format("%-24s %-8s %-10s %-16s %s", "PLUGIN", "ENABLED", "ANSWERING", "VERSION", "CHECKS"));
        for (PluginInstaller.Installed p : plugins) {
            Optional<PluginProbe.Status> s = p.enabled()
                    ? PluginProbe.status(pluginDir.resolve(p.id()).resolve("berth.sock")) : Optional.empty();
            String version = s.map(x -> x.body().path("Version").asText("?")).orElse("-");
            String checks = s.map(x -> checks(x.body().path("Checks"))).orElse("-");
            boolean ok = p.enabled() && s.isPresent() && s.get().httpStatus() == 200;
            healthy &= ok;
            lines.add(String.format("%-24s %-8s %-10s %-16s %s", p.name(), p.enabled() ? "yes" : "no",
                    s.isPresent() ? "yes" : "no", version, checks));
        }
        for (var service : new dev.berth.packaging.ServiceInstaller(docker).installed().entrySet()) {
            boolean running = service.getValue().equals("running");
            healthy &= running;
            lines.add(String.format("%-24s %-8s %-10s %-16s %s", service.getKey() + " (service)",
                    running ? "yes" : "no", "-", "-", service.getValue()));
        }
        return healthy;
    }

    private static String checks(JsonNode checks) {
        if (checks.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = checks.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            parts.add(e.getKey() + "=" + e.getValue().asText());
        }
        return String.join(" ", parts);
    }
}
