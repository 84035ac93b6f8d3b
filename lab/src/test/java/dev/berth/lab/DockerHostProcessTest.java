package dev.berth.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class DockerHostProcessTest {
    private final LabLayout layout = LabLayout.standard();

    @Test
    void argv_keepsTheShellTextFixedAndPassesValuesPositionally() {
        List<String> h1 = DockerHostProcess.argv(layout, layout.host(1));
        List<String> h2 = DockerHostProcess.argv(layout, layout.host(2));
        assertEquals(List.of("unshare", "-m", "-u", "--propagation", "slave", "sh", "-c"), h1.subList(0, 7));
        assertEquals(h1.get(7), h2.get(7), "the script must not vary with the host");
        assertFalse(h1.get(7).contains("h1") || h1.get(7).contains("berth-lab"), h1.get(7));
        assertEquals(List.of("sh", "h1", "/var/lib/berth-lab/h1/plugins", "/var/lib/berth-lab/h1/berth",
                "/run/berth-lab/h1/containerd", "nsenter", "--net=/var/run/netns/berth-h1", "dockerd"),
                h1.subList(8, 16));
    }

    @Test
    void argv_usesNsenterNotIpNetnsExec() {
        String all = String.join(" ", DockerHostProcess.argv(layout, layout.host(1)));
        assertFalse(all.contains("ip netns exec"), all);
        assertTrue(all.contains("--data-root /var/lib/berth-lab/h1/docker"), all);
        assertTrue(all.contains("--exec-root /run/berth-lab/h1/exec"), all);
        assertTrue(all.contains("--pidfile /run/berth-lab/h1/docker.pid"), all);
        assertTrue(all.contains("-H unix:///run/berth-lab/h1/docker.sock"), all);
        assertTrue(all.contains("--config-file /var/lib/berth-lab/h1/daemon.json"), all);
    }

    @Test
    void daemonJson_givesEachHostItsOwnCgroupParentAndKey() {
        String json = DockerHostProcess.daemonJson(layout, layout.host(2));
        assertTrue(json.contains("\"cgroup-parent\": \"/berth-lab/h2\""), json);
        assertTrue(json.contains("\"deprecated-key-path\": \"/var/lib/berth-lab/h2/key.json\""), json);
        assertFalse(json.contains("\"hosts\""), "hosts in daemon.json conflicts with -H: " + json);
    }

    @Test
    void etcdArgv_listensOnBridgeAndLoopbackOnly() {
        String all = String.join(" ", EtcdProcess.argv(layout));
        assertTrue(all.contains("--listen-client-urls http://10.99.0.254:2379,http://127.0.0.1:23790"), all);
        assertTrue(all.contains("--listen-peer-urls http://127.0.0.1:23800"), all);
        assertTrue(all.contains("--enable-v2"), all);
        assertTrue(all.contains("--data-dir /var/lib/berth-lab/etcd"), all);
        assertEquals("etcd://10.99.0.254:2379/berth", LabLayout.KV_URL);
    }
}
