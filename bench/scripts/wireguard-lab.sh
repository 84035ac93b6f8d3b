# Sourced by the wireguard-*.sh scripts here: a berth/wireguard network on the two lab hosts of
# ./berth lab up --hosts 2, with a container on each.
D1="docker -H unix:///run/berth-lab/h1/docker.sock"
D2="docker -H unix:///run/berth-lab/h2/docker.sock"

# berth_net NAME PREFIX SUFFIX: network NAME on PREFIX.0/24 on both hosts, container srvSUFFIX at PREFIX.10 on h1 and
# cliSUFFIX at PREFIX.20 on h2, an iperf3 server (port 5201) in srvSUFFIX; sets SRV_PID and CLI_PID.
berth_net() {
  local name=$1 prefix=$2 suffix=$3
  for D in "$D1" "$D2"; do
    $D network create -d berth/wireguard:latest --ipam-driver berth/ipam:latest --ipam-opt berth.scope=global \
      --subnet $prefix.0/24 $name >/dev/null
  done
  $D1 run -d --name srv$suffix --network $name --ip $prefix.10 berth/testbox sleep 36000 >/dev/null
  $D2 run -d --name cli$suffix --network $name --ip $prefix.20 berth/testbox sleep 36000 >/dev/null
  SRV_PID=$($D1 inspect -f '{{.State.Pid}}' srv$suffix)
  CLI_PID=$($D2 inspect -f '{{.State.Pid}}' cli$suffix)
  nsenter -t $SRV_PID -n iperf3 -s -D -p 5201 -I /run/berth-wgbench-iperf3$suffix.pid
}

# berth_net_cleanup: stops the iperf3 servers berth_net started (they outlive their containers' namespaces).
berth_net_cleanup() {
  local f
  for f in /run/berth-wgbench-iperf3*.pid; do
    [ -f "$f" ] || continue
    kill "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  done
}
