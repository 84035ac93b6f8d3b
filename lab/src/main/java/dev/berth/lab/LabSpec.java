package dev.berth.lab;

/**
 * What lab to build: how many Docker hosts (1 to {@value #MAX_HOSTS}) and whether to run one etcd beside them.
 *
 * <pre>{@code
 * Lab.standard().up(new LabSpec(3, true), SuiteInstaller.NONE);
 * }</pre>
 *
 * @param hosts number of hosts, named {@code h1 .. hN}, on the underlay at {@code 10.99.0.1 .. 10.99.0.N}
 * @param etcd  whether to run etcd on the underlay bridge ({@code etcd://10.99.0.254:2379/berth})
 */
public record LabSpec(int hosts, boolean etcd) {
    /** The underlay is a /24 and each host costs a dockerd and a containerd: eight is plenty on one machine. */
    public static final int MAX_HOSTS = 8;

    public LabSpec {
        if (hosts < 1 || hosts > MAX_HOSTS) {
            throw new IllegalArgumentException("a lab has 1 to " + MAX_HOSTS + " hosts, not " + hosts);
        }
    }

    /** {@code hosts} hosts without etcd. */
    public static LabSpec of(int hosts) {
        return new LabSpec(hosts, false);
    }
}
