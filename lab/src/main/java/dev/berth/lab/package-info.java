/**
 * Several Docker hosts on one machine, for Berth's end-to-end tests and benchmarks ({@code berth lab up|down|env}).
 *
 * <p>The API: {@link dev.berth.lab.Lab} (up, down, hosts, kvUrl, env), {@link dev.berth.lab.LabSpec},
 * {@link dev.berth.lab.LabHost}, {@link dev.berth.lab.SuiteInstaller}, {@link dev.berth.lab.TestImage} and
 * {@link dev.berth.lab.LabException}. The rest is package-private and split by lifecycle stage: {@code Underlay}
 * (bridge, namespaces, veths, FORWARD rule), {@code DockerHostProcess} and {@code EtcdProcess} (the daemons,
 * started through {@code Daemon}), {@code LabState} (the state file), {@code Cleanup} (teardown, also of stale runs),
 * with the pure readers {@code ProcTable}, {@code MountTable} and {@code Cgroups} beneath it.
 *
 * <p>Every external command goes through {@code dev.berth.exec} as an argument vector; the one shell is dockerd's
 * launcher, a fixed script that gets its values as positional arguments.
 */
package dev.berth.lab;
