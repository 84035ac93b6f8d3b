#!/bin/bash
# berth/wireguard's throughput on busy hosts, by the keeper's CPU weight: the measurement behind the keeper's
# "cpu": {"shares": 4096} in net-wireguard/src/main/keeper/plugin.json (issue 7).
#
# Usage (root, repository root): bench/scripts/wireguard-busy-host.sh [rounds] [seconds] [hogs-per-host]
#                                (defaults 6, 4 and 2)
#
# Starts a 2-host lab (./berth lab up --hosts 2 --kv etcd, replacing any lab), a berth/wireguard network with a
# container on each host, and HOGS containers per host that keep a CPU busy (sh -c 'while :; do :; done'). Then
# iperf3 h2 -> h1 container to container, alternating round by round between the keeper container at Docker's
# default weight (docker update --cpu-shares 1024) and at the weight its descriptor gives it (4096). Also one
# round-pair without the hogs, for scale. Takes the lab down at the end.
set -euo pipefail
ROUNDS=${1:-6}
SECS=${2:-4}
HOGS=${3:-2}
cd "$(dirname "$0")/../.."
for b in iperf3 python3 nsenter; do command -v $b >/dev/null || { echo "needs $b" >&2; exit 2; }; done
. bench/scripts/wireguard-lab.sh
trap 'berth_net_cleanup; ./berth lab down >/dev/null 2>&1 || true' EXIT
./berth lab up --hosts 2 --kv etcd >/dev/null
berth_net wgnet 10.86.0 ""
P2=$CLI_PID
nsenter -t $P2 -n ping -c 1 -W 10 10.86.0.10 >/dev/null
echo "keeper weight as installed: h1 $($D1 inspect -f '{{.HostConfig.CpuShares}}' berth-wireguard-go)," \
  "h2 $($D2 inspect -f '{{.HostConfig.CpuShares}}' berth-wireguard-go)"

python3 - "$P2" "$ROUNDS" "$SECS" "$HOGS" <<'EOF'
import json, statistics, subprocess, sys
pid, rounds, secs, hogs = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
docker = [["docker", "-H", f"unix:///run/berth-lab/h{i}/docker.sock"] for i in (1, 2)]

def shares(n):
    for d in docker:
        subprocess.run(d + ["update", "--cpu-shares", str(n), "berth-wireguard-go"], capture_output=True, check=True)

def gbits():
    out = subprocess.run(["nsenter", "-t", pid, "-n", "iperf3", "-c", "10.86.0.10", "-p", "5201", "-t", secs, "-J"],
                         capture_output=True, text=True).stdout
    return json.loads(out)["end"]["sum_received"]["bits_per_second"] / 1e9

idle = {}
for n in (1024, 4096):
    shares(n)
    idle[n] = gbits()
for d in docker:
    for j in range(hogs):
        subprocess.run(d + ["run", "-d", "--name", f"hog{j}", "berth/testbox", "sh", "-c", "while :; do :; done"],
                       capture_output=True, check=True)
res = {1024: [], 4096: []}
for r in range(rounds):
    for n in ((1024, 4096) if r % 2 == 0 else (4096, 1024)):
        shares(n)
        res[n].append(gbits())
shares(4096)
print(f"no busy containers: {idle[1024]:.2f} Gbit/s at 1024, {idle[4096]:.2f} at 4096")
for n, v in res.items():
    print(f"{hogs} busy containers per host, keeper at {n}: median {statistics.median(v):.2f} Gbit/s "
          f"{[round(x, 2) for x in v]}")
print(f"ratio 4096 / 1024 with busy containers: {statistics.median(res[4096]) / statistics.median(res[1024]):.2f}")
EOF
