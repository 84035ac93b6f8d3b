package dev.berth.lab;

/**
 * What lab to build: how many Docker hosts (1 to {@value #MAX_HOSTS}), whether to run one etcd beside them, and
 * whether the hosts' dockerd use Docker's classic cluster store on that etcd.
 *
 * <pre>{@code
 * Lab.standard().up(new LabSpec(3, true), SuiteInstaller.NONE);
 * Lab.standard().up(new LabSpec(2, true).withClusterStore(), SuiteInstaller.NONE); // for Docker's built-in overlay
 * }</pre>
 *
 * @param hosts        number of hosts, named {@code h1 .. hN}, on the underlay at {@code 10.99.0.1 .. 10.99.0.N}
 * @param etcd         whether to run etcd on the underlay bridge ({@code etcd://10.99.0.254:2379/berth})
 * @param clusterStore whether each dockerd runs with {@code cluster-store etcd://10.99.0.254:2379} and
 *                     {@code cluster-advertise eth0:2376} (Docker 20.10's classic mode, which Docker 23 removed): only
 *                     the anchor needs it, Docker's built-in overlay outside swarm. Berth's own tests run without it,
 *                     as users' modern hosts do. Needs {@code etcd}.
 */
public record LabSpec(int hosts, boolean etcd, boolean clusterStore) {
    /** The underlay is a /24 and each host costs a dockerd and a containerd: eight is plenty on one machine. */
    public static final int MAX_HOSTS = 8;

    public LabSpec {
        if (hosts < 1 || hosts > MAX_HOSTS) {
            throw new IllegalArgumentException("a lab has 1 to " + MAX_HOSTS + " hosts, not " + hosts);
        }
        if (clusterStore && !etcd) {
            throw new IllegalArgumentException("Docker's cluster store lives in the lab's etcd: ask for etcd too");
        }
    }

    /** {@code hosts} hosts, with or without etcd, and no cluster store. */
    public LabSpec(int hosts, boolean etcd) {
        this(hosts, etcd, false);
    }

    /** {@code hosts} hosts without etcd. */
    public static LabSpec of(int hosts) {
        return new LabSpec(hosts, false);
    }

    /** The same lab with etcd, whose dockerd use it as their classic cluster store. */
    public LabSpec withClusterStore() {
        return new LabSpec(hosts, true, true);
    }
}
