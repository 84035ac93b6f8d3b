package dev.berth.lab;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where everything of the lab lives: names in the kernel (namespaces, links, addresses) and paths on disk. The kernel
 * names are fixed (there is one lab per machine); the two roots are the only variables and must be plain absolute
 * paths, because they end up in argument vectors of daemons and in the text cleanup searches command lines for.
 *
 * @param varRoot persistent state, {@code /var/lib/berth-lab}: per host {@code hN/{docker,plugins,berth}}, etcd data
 * @param runRoot runtime state, {@code /run/berth-lab}: per host {@code hN/{exec,containerd}}, sockets, pidfiles
 */
record LabLayout(Path varRoot, Path runRoot) {
    static final String BRIDGE = "berth-lab0";
    static final String NETNS_PREFIX = "berth-h";
    static final String VETH_PREFIX = "berth-lv";
    static final String SUBNET = "10.99.0.";
    static final String BRIDGE_ADDRESS = SUBNET + "254";
    static final int PREFIX_LENGTH = 24;
    static final int ETCD_CLIENT_PORT = 2379;
    static final int ETCD_LOCAL_CLIENT_PORT = 23790;
    static final int ETCD_PEER_PORT = 23800;
    static final String KV_URL = "etcd://" + BRIDGE_ADDRESS + ":" + ETCD_CLIENT_PORT + "/berth";
    /** Docker's classic cluster store (libkv, etcd's v2 API) on the lab's etcd, for {@link LabSpec#clusterStore()}. */
    static final String CLUSTER_STORE_URL = "etcd://" + BRIDGE_ADDRESS + ":" + ETCD_CLIENT_PORT;
    /** The name of each host's underlay device inside its namespace (the veth end {@link Underlay} names eth0). */
    static final String UNDERLAY_DEVICE = "eth0";
    /** The port dockerd advertises to the cluster store ({@code cluster-advertise eth0:2376}). */
    static final int CLUSTER_ADVERTISE_PORT = 2376;

    /** Mount points in the root filesystem that each host covers with its own directory. */
    static final List<Path> HOST_MOUNT_POINTS =
            List.of(Path.of("/run/docker/plugins"), Path.of("/var/lib/berth"), Path.of("/run/containerd"));

    /**
     * What cleanup removes from the root filesystem when empty and not mounted over, children first: the mount points
     * above and the parent {@code /run/docker} that making one of them may have created. An empty one is the lab's
     * (or nobody's: Docker, containerd and Berth create them on demand), so no record of who made it is needed.
     */
    static final List<Path> EMPTY_DIRS_TO_TIDY = List.of(Path.of("/run/docker/plugins"), Path.of("/run/docker"),
            Path.of("/var/lib/berth"), Path.of("/run/containerd"));

    private static final Pattern SAFE_PATH = Pattern.compile("(/[A-Za-z0-9._-]+)+");
    private static final Pattern HOST_NAME = Pattern.compile("h([1-9][0-9]?)");
    private static final Pattern LAB_NETNS = Pattern.compile(Pattern.quote(NETNS_PREFIX) + "[0-9]+");
    private static final Pattern LAB_LINK = Pattern.compile(Pattern.quote(VETH_PREFIX) + "[0-9]+|" + BRIDGE);

    LabLayout {
        for (Path root : List.of(varRoot, runRoot)) {
            if (!SAFE_PATH.matcher(root.toString()).matches() || root.getNameCount() < 2) {
                throw new IllegalArgumentException("lab root must be a plain absolute path below /x, not " + root);
            }
        }
    }

    static LabLayout standard() {
        return new LabLayout(Path.of("/var/lib/berth-lab"), Path.of("/run/berth-lab"));
    }

    LabHost host(int index) {
        if (index < 1 || index > LabSpec.MAX_HOSTS) {
            throw new IllegalArgumentException("no lab host number " + index);
        }
        String name = "h" + index;
        return new LabHost(name, index, NETNS_PREFIX + index, SUBNET + index, hostRun(name).resolve("docker.sock"),
                hostVar(name).resolve("plugins"), hostVar(name).resolve("berth"));
    }

    /** The index of {@code h3}, or -1 when the text is not a host name. */
    static int indexOf(String hostName) {
        var m = HOST_NAME.matcher(hostName == null ? "" : hostName);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    static boolean isLabNetns(String name) {
        return LAB_NETNS.matcher(name).matches();
    }

    static boolean isLabLink(String name) {
        return LAB_LINK.matcher(name).matches();
    }

    static String vethName(LabHost host) {
        return VETH_PREFIX + host.index();
    }

    Path hostVar(String name) {
        return varRoot.resolve(name);
    }

    Path hostRun(String name) {
        return runRoot.resolve(name);
    }

    Path dataRoot(LabHost h) {
        return hostVar(h.name()).resolve("docker");
    }

    Path execRoot(LabHost h) {
        return hostRun(h.name()).resolve("exec");
    }

    /** Covers {@code /run/containerd}, so that a system containerd is never shared and shim sockets stay per host. */
    Path containerdRunDir(LabHost h) {
        return hostRun(h.name()).resolve("containerd");
    }

    Path pidFile(LabHost h) {
        return hostRun(h.name()).resolve("docker.pid");
    }

    Path daemonJson(LabHost h) {
        return hostVar(h.name()).resolve("daemon.json");
    }

    /** dockerd's identity key; by default every host would share /etc/docker/key.json and so one engine ID. */
    Path keyFile(LabHost h) {
        return hostVar(h.name()).resolve("key.json");
    }

    Path dockerLog(LabHost h) {
        return hostVar(h.name()).resolve("dockerd.log");
    }

    /** Parent of each host's container cgroups ({@code cgroup-parent}), so cleanup can find them. */
    static String cgroupParent(LabHost h) {
        return "/berth-lab/" + h.name();
    }

    Path etcdDataDir() {
        return varRoot.resolve("etcd");
    }

    Path etcdLog() {
        return varRoot.resolve("etcd.log");
    }

    Path testImageDir() {
        return varRoot.resolve("testbox");
    }

    Path stateFile() {
        return runRoot.resolve("lab.properties");
    }

    /** Whether a process command line (arguments joined by spaces) refers to the lab's directories. */
    boolean mentions(String commandLine) {
        for (String root : List.of(varRoot.toString(), runRoot.toString(), "/var" + runRoot)) {
            int at = commandLine.indexOf(root);
            while (at >= 0) {
                int end = at + root.length();
                if (end == commandLine.length() || "/ ,:=\"'".indexOf(commandLine.charAt(end)) >= 0) {
                    return true;
                }
                at = commandLine.indexOf(root, end);
            }
        }
        return false;
    }

    /** Whether a mount point is one of the lab's directories or below one. */
    boolean contains(Path mountPoint) {
        return mountPoint.startsWith(varRoot) || mountPoint.startsWith(runRoot)
                || mountPoint.startsWith(Path.of("/var").resolve(runRoot.subpath(0, runRoot.getNameCount())));
    }
}
