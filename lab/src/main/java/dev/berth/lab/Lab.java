package dev.berth.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Several Docker hosts on this one machine, for end-to-end tests and benchmarks: each host a dockerd in its own
 * network, mount and UTS namespaces, all on one bridge (10.99.0.0/24), optionally with one etcd. There is one lab per
 * machine; its state lives in /var/lib/berth-lab and /run/berth-lab. Needs root.
 *
 * <pre>{@code
 * Lab lab = Lab.standard().reporting(System.err::println);
 * List<LabHost> hosts = lab.up(new LabSpec(3, true), SuiteInstaller.NONE);
 * hosts.get(0).docker().check("run", "--rm", TestImage.NAME, "ping", "-c1", "10.99.0.2");
 * lab.down();
 * }</pre>
 */
public final class Lab {
    private static final Duration DOCKER_START = Duration.ofSeconds(60);
    private static final Duration ETCD_START = Duration.ofSeconds(30);
    private static final Duration LOCK_PATIENCE = Duration.ofMinutes(30);

    private final LabLayout layout;
    private final Consumer<String> progress;

    Lab(LabLayout layout, Consumer<String> progress) {
        this.layout = layout;
        this.progress = progress;
    }

    /** The machine's lab, rooted at /var/lib/berth-lab and /run/berth-lab; silent. */
    public static Lab standard() {
        return new Lab(LabLayout.standard(), message -> { });
    }

    /** The same lab, telling {@code sink} what it does (one line per step). */
    public Lab reporting(Consumer<String> sink) {
        return new Lab(layout, Objects.requireNonNull(sink));
    }

    /**
     * Tears down any stale lab, then builds a fresh one: underlay, hosts (with Docker's classic cluster store on the
     * lab's etcd when asked), etcd when asked, {@code berth/testbox} on every host, then {@code installer} on every
     * host. On any failure it tears down what it made and throws a
     * {@link LabException} that says at which stage it failed and whether the teardown was clean.
     *
     * @return the hosts, in order h1..hN
     */
    public List<LabHost> up(LabSpec spec, SuiteInstaller installer) {
        Objects.requireNonNull(spec);
        Objects.requireNonNull(installer);
        requireRoot();
        LabLock.acquire(LOCK_PATIENCE, progress);
        progress.accept("removing any earlier lab");
        try {
            new Cleanup(layout, progress).run();
        } catch (LabException e) {
            throw new LabException("cannot build a lab: an earlier one could not be removed: " + e.getMessage(), e);
        }
        List<LabHost> hosts = new ArrayList<>();
        for (int i = 1; i <= spec.hosts(); i++) {
            hosts.add(layout.host(i));
        }
        Optional<String> kv = spec.etcd() ? Optional.of(LabLayout.KV_URL) : Optional.empty();
        String stage = "recording state";
        try {
            LabState state = new LabState(spec.hosts(), spec.etcd(), LabState.STARTING, Map.of());
            state.write(layout.stateFile());
            stage = "building the underlay";
            progress.accept("underlay: bridge " + LabLayout.BRIDGE + ", " + hosts.size() + " network namespace(s)");
            Underlay.create(hosts);
            stage = "preparing the root mount namespace";
            DockerHostProcess.prepareRoot();
            long etcdPid = -1;
            if (spec.etcd()) {
                stage = "starting etcd";
                etcdPid = EtcdProcess.start(layout);
                state = state.withPid("etcd", etcdPid);
                state.write(layout.stateFile());
            }
            stage = "starting dockerd";
            List<Long> pids = new ArrayList<>();
            for (LabHost host : hosts) {
                progress.accept("starting dockerd for " + host.name());
                long pid = DockerHostProcess.start(layout, host, spec.clusterStore());
                pids.add(pid);
                state = state.withPid(host.name(), pid);
                state.write(layout.stateFile());
            }
            if (spec.etcd()) {
                stage = "waiting for etcd";
                EtcdProcess.awaitHealthy(layout, etcdPid, ETCD_START);
            }
            for (int i = 0; i < hosts.size(); i++) {
                stage = "waiting for dockerd on " + hosts.get(i).name();
                DockerHostProcess.awaitReady(layout, hosts.get(i), pids.get(i), DOCKER_START);
            }
            TestImage image = new TestImage(layout.testImageDir());
            for (LabHost host : hosts) {
                stage = "loading " + TestImage.NAME + " on " + host.name();
                progress.accept(stage);
                image.ensureLoaded(host.docker());
            }
            for (LabHost host : hosts) {
                stage = "installing the suite on " + host.name();
                progress.accept(stage);
                installer.install(host, kv);
            }
            state.withStatus(LabState.RUNNING).write(layout.stateFile());
            progress.accept("lab up: " + hosts.size() + " host(s)" + kv.map(u -> ", kv " + u).orElse("")
                    + (spec.clusterStore() ? ", Docker cluster store " + LabLayout.CLUSTER_STORE_URL : ""));
            return List.copyOf(hosts);
        } catch (RuntimeException e) {
            String rollback;
            try {
                new Cleanup(layout, progress).run();
                rollback = "torn down cleanly";
            } catch (RuntimeException d) {
                rollback = "and the teardown failed too: " + d.getMessage();
            } finally {
                LabLock.release();
            }
            throw new LabException("lab up failed while " + stage + ": " + e.getMessage() + "\n(" + rollback + ")", e);
        }
    }

    /**
     * Removes everything a lab made, also one from an earlier crashed run: daemons, containers and plugins, mounts,
     * network namespaces, links, the FORWARD rule, cgroups, directories. Idempotent; fast when nothing is there.
     *
     * @throws LabException listing whatever could not be removed
     */
    public void down() {
        requireRoot();
        LabLock.acquire(LOCK_PATIENCE, progress);
        try {
            new Cleanup(layout, progress).run();
            progress.accept("lab down");
        } finally {
            LabLock.release();
        }
    }

    /** The hosts of the running lab, in order; empty when no lab is running. */
    public List<LabHost> hosts() {
        Optional<LabState> state = runningState();
        List<LabHost> hosts = new ArrayList<>();
        for (int i = 1; i <= state.map(LabState::hosts).orElse(0); i++) {
            hosts.add(layout.host(i));
        }
        return List.copyOf(hosts);
    }

    /** {@code etcd://10.99.0.254:2379/berth} when the running lab has etcd. */
    public Optional<String> kvUrl() {
        return runningState().filter(LabState::etcd).map(s -> LabLayout.KV_URL);
    }

    /**
     * One host of the running lab.
     *
     * @throws LabException when no lab runs or it has no such host, saying which hosts there are
     */
    public LabHost host(String hostName) {
        int index = LabLayout.indexOf(hostName);
        if (index < 1 || index > LabSpec.MAX_HOSTS) {
            throw new LabException("'" + hostName + "' is not a lab host name: they are h1 .. h" + LabSpec.MAX_HOSTS);
        }
        Optional<LabState> state = runningState();
        if (state.isEmpty()) {
            throw new LabException("no lab is running (start one with `berth lab up --hosts N`)");
        }
        int count = state.get().hosts();
        if (index > count) {
            throw new LabException("the running lab has no host " + hostName + ": its hosts are "
                    + (count == 1 ? "h1" : "h1 .. h" + count));
        }
        return layout.host(index);
    }

    /** A line for the shell: {@code export DOCKER_HOST=unix:///run/berth-lab/h1/docker.sock}. */
    public String env(String hostName) {
        return envLine(host(hostName));
    }

    /**
     * A host's dockerd log, {@code /var/lib/berth-lab/h1/dockerd.log}: the daemon's own lines and every managed
     * plugin's stderr (so each Berth plugin call, with its duration). Gone after {@link #down()}.
     */
    public Path dockerLog(LabHost host) {
        return layout.dockerLog(host);
    }

    /** What {@link #down()} would still find on this machine, one line each; empty when it is clean. */
    public List<String> leftovers() {
        return new Cleanup(layout, progress).leftovers();
    }

    /**
     * Restarts one host's dockerd as an operator would: SIGTERM, wait until it has exited (it stops its containers
     * and plugins on the way), start it again with the same configuration, wait until it answers. Containers with a
     * restart policy come back; managed plugins are started again by the daemon.
     * Equivalent to: {@code kill -TERM $(cat /run/berth-lab/h1/docker.pid); ...; dockerd ... &}
     */
    public void restartDocker(LabHost host) {
        LabState state = runningState().orElseThrow(() -> new LabException("no lab is running"));
        Long pid = state.pids().get(host.name());
        if (pid == null) {
            throw new LabException("the lab has no dockerd recorded for " + host.name());
        }
        progress.accept("restarting dockerd on " + host.name());
        dev.berth.exec.Command.of("kill", "-TERM", Long.toString(pid)).run();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (ProcTable.aliveNow(pid)) {
            if (System.nanoTime() > deadline) {
                throw new LabException("dockerd on " + host.name() + " (pid " + pid + ") did not stop within 60 s");
            }
            ProcTable.sleep(Duration.ofMillis(100));
        }
        long started = DockerHostProcess.start(layout, host);
        runningState().orElse(state).withPid(host.name(), started).write(layout.stateFile());
        DockerHostProcess.awaitReady(layout, host, started, DOCKER_START);
    }

    static String envLine(LabHost host) {
        return "export DOCKER_HOST=" + host.dockerHost();
    }

    private Optional<LabState> runningState() {
        return LabState.read(layout.stateFile()).filter(LabState::running);
    }

    private static void requireRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:") && !line.split("\\s+")[2].equals("0")) {
                    throw new LabException("the lab needs root: it makes network namespaces and runs dockerd");
                }
            }
        } catch (IOException e) {
            throw new LabException("cannot read /proc/self/status: " + e.getMessage(), e);
        }
    }
}
