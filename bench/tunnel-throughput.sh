#!/usr/bin/env bash
# Throughput of our tunnel, ours to ours: two network namespaces joined by a veth pair, an
# `ikesharp daemon` (userspace data plane, TUN device) in each, a site-to-site Child SA with ESP in
# UDP 4500 (encap = yes, RFC 3948), and iperf3 TCP from LAN 10.1.0.1 to LAN 10.2.0.1 through it.
#
#   bench/tunnel-throughput.sh [seconds] [esp-proposal ...]
#   bench/tunnel-throughput.sh 10 aes128gcm16 aes256-sha256          (the default)
#   TUN_QUEUES=1 bench/tunnel-throughput.sh                           ([daemon] tun_queues)
#   ENCAP=no bench/tunnel-throughput.sh                               (plain ESP, IP protocol 50)
#   OFFLOAD=no bench/tunnel-throughput.sh                             ([daemon] offload = false: no TSO/GRO on the TUN device, no UDP GSO/GRO)
#
# Needs root, iperf3 and a Release build (dotnet build IkeSharp.slnx -c Release). Everything it
# makes (namespaces, veth, daemons, temp dir) is removed on exit; traffic stays in the namespaces.
set -euo pipefail

SECONDS_PER_RUN=${1:-10}
shift || true
PROPOSALS=("$@")
[ ${#PROPOSALS[@]} -gt 0 ] || PROPOSALS=(aes128gcm16 aes256-sha256)

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DLL=${IKESHARP_DLL:-$ROOT/src/IkeSharp.Cli/bin/Release/net10.0/ikesharp.dll}
NS_A=ikbench-a
NS_B=ikbench-b
ENCAP=${ENCAP:-yes}
DIR=$(mktemp -d /tmp/ikesharp-bench.XXXXXX)
PIDS=()

[ "$(id -u)" = 0 ] || { echo "needs root (namespaces, TUN devices)" >&2; exit 2; }
[ -f "$DLL" ] || { echo "no $DLL; run: dotnet build IkeSharp.slnx -c Release" >&2; exit 2; }
command -v iperf3 >/dev/null || { echo "needs iperf3" >&2; exit 2; }

stop_daemons() {
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    PIDS=()
}

cleanup() {
    stop_daemons
    ip netns pids "$NS_B" 2>/dev/null | xargs -r kill 2>/dev/null || true   # iperf3 -s started here
    ip netns del "$NS_A" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

ip netns del "$NS_A" 2>/dev/null || true
ip netns del "$NS_B" 2>/dev/null || true
ip netns add "$NS_A"
ip netns add "$NS_B"
ip link add ikb-a netns "$NS_A" type veth peer name ikb-b netns "$NS_B"
side() { # ns veth outer lan
    ip -n "$1" link set lo up
    ip -n "$1" addr add "$3/24" dev "$2"
    ip -n "$1" link set "$2" up
    ip -n "$1" addr add "$4/24" dev lo
}
side "$NS_A" ikb-a 10.98.0.1 10.1.0.1
side "$NS_B" ikb-b 10.98.0.2 10.2.0.1

config() { # name local remote local_net remote_net esp
    local queues=""
    [ -n "${TUN_QUEUES:-}" ] && queues="tun_queues = $TUN_QUEUES"
    [ "${OFFLOAD:-yes}" = no ] && queues="$queues
offload = false"
    cat > "$DIR/$1.toml" <<EOF
[daemon]
control_socket = "$DIR/$1.sock"
$queues

[connections.peer]
local_addrs = ["$2"]
remote_addrs = ["$3"]
proposals = ["aes128gcm16-prfsha256-x25519"]
encap = $([ "$ENCAP" = yes ] && echo true || echo false)
[connections.peer.local]
auth = "psk"
id = "$2"
[connections.peer.remote]
auth = "psk"
id = "$3"
[connections.peer.children.net]
local_ts = ["$4"]
remote_ts = ["$5"]
esp_proposals = ["$6"]

[secrets.ike-peer]
secret = "bench-only-not-a-secret"
EOF
    chmod 600 "$DIR/$1.toml"
}

wait_for() { for _ in $(seq 200); do [ -S "$1" ] && return 0; sleep 0.1; done; echo "no $1" >&2; return 1; }

ip netns exec "$NS_B" iperf3 -s -B 10.2.0.1 -D --logfile "$DIR/iperf3-server.log"

echo "ikesharp tunnel throughput, iperf3 TCP ${SECONDS_PER_RUN}s 10.1.0.1 -> 10.2.0.1, encap=$ENCAP, tun_queues=${TUN_QUEUES:-default}, offload=${OFFLOAD:-yes}, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for esp in "${PROPOSALS[@]}"; do
    config a 10.98.0.1 10.98.0.2 10.1.0.0/24 10.2.0.0/24 "$esp"
    config b 10.98.0.2 10.98.0.1 10.2.0.0/24 10.1.0.0/24 "$esp"
    ip netns exec "$NS_A" dotnet "$DLL" daemon --config "$DIR/a.toml" > "$DIR/a-$esp.log" 2>&1 &
    PIDS+=($!)
    ip netns exec "$NS_B" dotnet "$DLL" daemon --config "$DIR/b.toml" > "$DIR/b-$esp.log" 2>&1 &
    PIDS+=($!)
    wait_for "$DIR/a.sock"
    wait_for "$DIR/b.sock"
    dotnet "$DLL" up peer --control-socket "$DIR/a.sock" > "$DIR/up.log" 2>&1 || { cat "$DIR/up.log" "$DIR/a-$esp.log" >&2; exit 1; }
    grep -h "MTU" "$DIR/a-$esp.log" | sed 's/^/  /' | head -1
    ip netns exec "$NS_A" ping -q -c 2 -i 0.2 -W 2 -I 10.1.0.1 10.2.0.1 > /dev/null || { echo "no ping through the tunnel" >&2; exit 1; }
    ip netns exec "$NS_A" iperf3 -c 10.2.0.1 -B 10.1.0.1 -t "$SECONDS_PER_RUN" -J > "$DIR/iperf3-$esp.json"
    python3 - "$esp" "$DIR/iperf3-$esp.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[2]))["end"]
print(f"{sys.argv[1]:>16}: {r['sum_received']['bits_per_second'] / 1e6:8.0f} Mbit/s received, "
      f"{r['sum_sent'].get('retransmits', 0)} retransmits, sender CPU {r['cpu_utilization_percent']['host_total']:.0f}%")
EOF
    stop_daemons
    rm -f "$DIR/a.sock" "$DIR/b.sock"
done
