#!/bin/bash
# Where wireguard-go runs, and what berth/wireguard's container path costs: the A/B behind BENCHMARKS.md's
# "What was wrong with the earlier figures" and "What berth's own path costs" (issue 7).
#
# Usage (root, repository root): bench/scripts/wireguard-placement.sh [rounds] [seconds]   (defaults 8 and 3)
#
# Starts a 2-host lab (./berth lab up --hosts 2 --kv etcd, replacing any lab), a berth/wireguard network with a
# container on each host, and hand tunnels between the hosts' namespaces with the same wireguard-go, MTU 1440:
#   session     wireguard-go IFACE, daemonized into this script's session (the old anchor's placement)
#   session2    a second one, the same way (the control: should be ~1.0 of session)
#   setsid-fg   setsid wireguard-go -f IFACE (a session, hence an autogroup, of its own)
#   container   docker run --network host ... wireguard-go -f IFACE (default seccomp)
#   unconfined  the same with --security-opt seccomp=unconfined
#   berth-via-container  berth's two containers routed through the "container" tunnel (a more specific policy
#               rule per host-side veth), against "container" host to host: the container path's own cost
#   berth       berth/wireguard container to container
# Then iperf3 h2 -> h1 on each arm, arms in turning order, and prints each arm's median and its ratio to
# "session" (and berth-via-container's to "container"). Takes the lab down at the end.
set -euo pipefail
ROUNDS=${1:-8}
SECS=${2:-3}
cd "$(dirname "$0")/../.."
for b in wireguard-go wg iperf3 python3 nsenter; do command -v $b >/dev/null || { echo "needs $b" >&2; exit 2; }; done
./berth lab up --hosts 2 --kv etcd >/dev/null
. bench/scripts/wireguard-lab.sh
KEYS=$(mktemp -d /tmp/berth-wgplace.XXXXXX)
cleanup() {
  berth_net_cleanup
  pkill -f "wireguard-go (-f )?p[stf][12]$" 2>/dev/null || true
  rm -f /var/run/wireguard/p[stfcu][12].sock
  ./berth lab down >/dev/null 2>&1 || true
  rm -rf "$KEYS"
}
trap cleanup EXIT
wg genkey > "$KEYS/k1"; wg genkey > "$KEYS/k2"
PUB1=$(wg pubkey < "$KEYS/k1"); PUB2=$(wg pubkey < "$KEYS/k2")
mkdir -p /var/run/wireguard

berth_net wgnet 10.86.0 ""
P2=$CLI_PID
IMAGE=$($D1 inspect -f '{{.Config.Image}}' berth-wireguard-go)

# configure NAME SUBNET PORTBASE: keys, peers, addresses, MTU (the device exists on both hosts)
configure() {
  local n=$1 s=$2 pb=$3
  ip netns exec berth-h1 wg set ${n}1 private-key "$KEYS/k1" listen-port $((pb + 1)) peer "$PUB2" \
    endpoint 10.99.0.2:$((pb + 2)) allowed-ips $s.2/32
  ip netns exec berth-h2 wg set ${n}2 private-key "$KEYS/k2" listen-port $((pb + 2)) peer "$PUB1" \
    endpoint 10.99.0.1:$((pb + 1)) allowed-ips $s.1/32
  for i in 1 2; do
    ip netns exec berth-h$i ip addr add $s.$i/24 dev $n$i
    ip netns exec berth-h$i ip link set $n$i mtu 1440 up
  done
  ip netns exec berth-h1 iperf3 -s -D -B $s.1 -p 5201 -I /run/berth-wgbench-iperf3-$n.pid
}
in_container() { # NAME EXTRA-DOCKER-ARGS...
  local n=$1; shift
  for i in 1 2; do
    local D="docker -H unix:///run/berth-lab/h$i/docker.sock"
    mkdir -p "$KEYS/sock-$n$i"
    $D run -d --name wg-$n --network host --cap-add NET_ADMIN --device /dev/net/tun -e LOG_LEVEL=error \
      -v "$KEYS/sock-$n$i:/var/run/wireguard" "$@" --entrypoint /usr/bin/wireguard-go "$IMAGE" -f $n$i >/dev/null
    for _ in $(seq 100); do [ -S "$KEYS/sock-$n$i/$n$i.sock" ] && break; sleep 0.1; done
    ln -sf "$KEYS/sock-$n$i/$n$i.sock" /var/run/wireguard/$n$i.sock
  done
}
for i in 1 2; do ip netns exec berth-h$i wireguard-go ps$i 2>/dev/null; ip netns exec berth-h$i wireguard-go pt$i 2>/dev/null; done
configure ps 10.71.0 41000
configure pt 10.72.0 41100
for i in 1 2; do (ip netns exec berth-h$i setsid wireguard-go -f pf$i >/dev/null 2>&1 &); done
sleep 1; configure pf 10.73.0 41200
in_container pc; configure pc 10.74.0 41300
in_container pu --security-opt seccomp=unconfined; configure pu 10.75.0 41400

# berth's containers through the "pc" tunnel: allowed IPs, a table and a rule per host-side veth
WV1=$(ip netns exec berth-h1 ip -o link | grep -o 'wv[0-9a-f]*' | head -1)
WV2=$(ip netns exec berth-h2 ip -o link | grep -o 'wv[0-9a-f]*' | head -1)
T1=$(ip netns exec berth-h1 ip rule | grep -m1 "iif $WV1" | awk '{print $NF}')
T2=$(ip netns exec berth-h2 ip rule | grep -m1 "iif $WV2" | awk '{print $NF}')
ip netns exec berth-h1 wg set pc1 peer "$PUB2" allowed-ips 10.74.0.2/32,10.86.0.20/32
ip netns exec berth-h2 wg set pc2 peer "$PUB1" allowed-ips 10.74.0.1/32,10.86.0.10/32
ip netns exec berth-h1 ip route replace 10.86.0.20/32 dev pc1 table 100
ip netns exec berth-h2 ip route replace 10.86.0.10/32 dev pc2 table 100
ip netns exec berth-h1 ip rule add iif "$WV1" to 10.86.0.20 lookup 100 pref 900
ip netns exec berth-h2 ip rule add iif "$WV2" to 10.86.0.10 lookup 100 pref 900
ip netns exec berth-h1 ip rule add iif pc1 lookup "$T1" pref 1000
ip netns exec berth-h2 ip rule add iif pc2 lookup "$T2" pref 1000
# a second berth network for berth's own path (the first one's containers now use "pc")
berth_net wgnet2 10.76.0 2
Q2=$CLI_PID
for a in 10.71.0.1 10.72.0.1 10.73.0.1 10.74.0.1 10.75.0.1; do
  ip netns exec berth-h2 ping -c 1 -W 5 $a >/dev/null || { echo "no tunnel to $a" >&2; exit 1; }
done
nsenter -t $P2 -n ping -c 1 -W 5 10.86.0.10 >/dev/null
nsenter -t $Q2 -n ping -c 1 -W 10 10.76.0.10 >/dev/null

python3 - "$ROUNDS" "$SECS" \
  "session=ip netns exec berth-h2 iperf3 -c 10.71.0.1" \
  "session2=ip netns exec berth-h2 iperf3 -c 10.72.0.1" \
  "setsid-fg=ip netns exec berth-h2 iperf3 -c 10.73.0.1" \
  "container=ip netns exec berth-h2 iperf3 -c 10.74.0.1" \
  "unconfined=ip netns exec berth-h2 iperf3 -c 10.75.0.1" \
  "berth-via-container=nsenter -t $P2 -n iperf3 -c 10.86.0.10" \
  "berth=nsenter -t $Q2 -n iperf3 -c 10.76.0.10" <<'EOF'
import json, statistics, subprocess, sys
rounds, secs = int(sys.argv[1]), sys.argv[2]
arms = [a.split('=', 1) for a in sys.argv[3:]]
res = {label: [] for label, _ in arms}
for r in range(rounds):
    for k in range(len(arms)):
        label, cmd = arms[(r + k) % len(arms)]
        out = subprocess.run(cmd.split() + ['-p', '5201', '-t', secs, '-J'], capture_output=True, text=True).stdout
        try:
            res[label].append(json.loads(out)['end']['sum_received']['bits_per_second'] / 1e9)
        except (ValueError, KeyError):
            print(label, 'failed:', out[-200:], file=sys.stderr)
med = {label: statistics.median(v) for label, v in res.items() if v}
for label, _ in arms:
    if label in med:
        print(f"{label:20s} median {med[label]:.2f} Gbit/s  / session {med[label] / med['session']:.3f}"
              f"  rounds {[round(x, 2) for x in res[label]]}")
print(f"berth-via-container / container (the container path's own cost): "
      f"{med['berth-via-container'] / med['container']:.3f}")
print(f"berth / container (berth container to container, against the bare tunnel in a container): "
      f"{med['berth'] / med['container']:.3f}")
EOF
