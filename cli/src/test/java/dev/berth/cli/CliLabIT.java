package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.exec.DockerCli;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The {@code berth} command against real Docker hosts: {@code lab up --hosts 3 --kv etcd} with the test volume
 * plugin as part of the suite, {@code lab status}, {@code lab env}, {@code up} twice (idempotent), {@code status},
 * {@code down}, and {@code lab down} leaving nothing behind.
 */
@Tag("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliLabIT {
    private static final Path INPUT = Path.of("target/testvol-input").toAbsolutePath();

    @BeforeAll
    static void pluginInput() throws Exception {
        Files.copy(Path.of("../plugin-host/src/test/plugin/testvol/plugin.json"), INPUT.resolve("plugin.json"),
                StandardCopyOption.REPLACE_EXISTING);
    }

    @AfterAll
    static void cleanUp() {
        Lab.standard().down();
    }

    private record Run(int code, String out) {
    }

    private static Run berth(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Berth.run(args);
        } finally {
            System.setOut(saved);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        saved.print(out);
        return new Run(code, out);
    }

    private static LabHost host(String name) {
        return Lab.standard().host(name);
    }

    @Test
    @Order(1)
    void labUp_givesThreeHostsWithTheSuiteAndEtcd() {
        Run up = berth("lab", "up", "--hosts", "3", "--kv", "etcd", "--plugin-input", INPUT.toString());
        assertEquals(0, up.code(), up.out());
        assertEquals(3, Lab.standard().hosts().size());
        assertEquals("etcd://10.99.0.254:2379/berth", Lab.standard().kvUrl().orElseThrow());
        for (LabHost h : Lab.standard().hosts()) {
            String ls = h.docker().check("plugin", "ls", "--format", "{{.Name}} {{.Enabled}}");
            assertTrue(ls.contains("berth/testvol:latest true"), h.name() + ": " + ls);
        }
    }

    @Test
    @Order(2)
    void labStatusAndEnv_describeTheHosts() {
        Run status = berth("lab", "status");
        assertEquals(0, status.code(), status.out());
        assertTrue(status.out().contains("berth/testvol"), status.out());
        Run env = berth("lab", "env", "h2");
        assertEquals("export DOCKER_HOST=unix:///run/berth-lab/h2/docker.sock", env.out().strip());
        assertEquals(1, berth("lab", "env", "h9").code());
    }

    @Test
    @Order(3)
    void theSuiteServesVolumesOnEveryHost() {
        for (LabHost h : Lab.standard().hosts()) {
            DockerCli docker = h.docker();
            docker.check("volume", "create", "-d", "berth/testvol", "v-" + h.name());
            assertEquals("ok", docker.check("run", "--rm", "-v", "v-" + h.name() + ":/v", "berth/testbox", "sh",
                    "-c", "echo ok > /v/f; cat /v/f"));
        }
    }

    @Test
    @Order(4)
    void upTwice_changesNothing_andStatusIsHealthy() {
        LabHost h1 = host("h1");
        Run again = berth("up", "--docker-host", h1.dockerHost(), "--plugin-input", INPUT.toString());
        assertEquals(0, again.code(), again.out());
        assertTrue(again.out().contains("berth/testvol: unchanged"), again.out());
        Run status = berth("status", "--docker-host", h1.dockerHost(), "--plugin-dir", h1.pluginDir().toString());
        assertEquals(0, status.code(), status.out());
        assertTrue(status.out().matches("(?s).*berth/testvol:latest\\s+yes\\s+yes\\s+.*"), status.out());
    }

    @Test
    @Order(5)
    void down_removesThePluginsAndLabDownLeavesNothing() {
        LabHost h1 = host("h1");
        docker(h1).check("volume", "rm", "v-h1");
        Run down = berth("down", "--docker-host", h1.dockerHost());
        assertEquals(0, down.code(), down.out());
        Run status = berth("status", "--docker-host", h1.dockerHost(), "--plugin-dir", h1.pluginDir().toString());
        assertTrue(status.out().contains("no Berth plugins installed"), status.out());
        Run labDown = berth("lab", "down");
        assertEquals(0, labDown.code(), labDown.out());
        assertEquals(List.of(), Lab.standard().leftovers());
    }

    private static DockerCli docker(LabHost h) {
        return h.docker();
    }
}
