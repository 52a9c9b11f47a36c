#!/bin/sh
# Measures `ikesharp load` (issue 6 §1) against a responder in a second network namespace: our own
# daemon or Debian's strongSwan 5.9 (charon with kernel-libipsec). As root, from the repository root:
#
#   bench/load/run.sh ikesharp   [COUNT] [CONCURRENCY]     # default 2000 50
#   bench/load/run.sh strongswan [COUNT] [CONCURRENCY]
#
# PSK, aes128gcm16-prfsha256-x25519 / aes128gcm16, one Child SA each, deleted at the end. Both
# responders have their DoS thresholds off (one initiator address with many half-open SAs).
# Prints the load generator's report; extra arguments after the first three go to `ikesharp load`.
set -eu
responder=${1:?usage: $0 ikesharp|strongswan [COUNT] [CONCURRENCY] [ikesharp load args...]}
count=${2:-2000}
concurrency=${3:-50}
[ $# -ge 3 ] && shift 3 || shift $#
root=$(cd "$(dirname "$0")/../.." && pwd)
cli="$root/src/IkeSharp.Cli/bin/Release/net10.0/ikesharp.dll"
[ -f "$cli" ] || dotnet build "$root/src/IkeSharp.Cli" -c Release -v quiet
dir=$(mktemp -d /tmp/ikesharp-load-bench.XXXXXX)
a=ikl-bench-a b=ikl-bench-b
psk=bench-load-psk-0123456789abcdef
pid=

cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    ip netns del $a 2>/dev/null || true
    ip netns del $b 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM
[ -n "${KEEP_LOG:-}" ] && trap "cp $dir/*.log /tmp/ 2>/dev/null; cleanup" EXIT INT TERM
ip netns del $a 2>/dev/null || true
ip netns del $b 2>/dev/null || true
ip netns add $a
ip netns add $b
ip link add ikl-va netns $a type veth peer name ikl-vb netns $b
ip -n $a addr add 10.98.0.1/24 dev ikl-va && ip -n $a link set ikl-va up && ip -n $a link set lo up
ip -n $b addr add 10.98.0.2/24 dev ikl-vb && ip -n $b link set ikl-vb up && ip -n $b link set lo up
# The responder's protected LAN: kernel-libipsec routes each Child SA's policy from an address in it.
ip -n $b link add lan type veth peer name lanp && ip -n $b addr add 10.2.0.1/24 dev lan && ip -n $b link set lan up && ip -n $b link set lanp up

case "$responder" in
ikesharp)
    cat > "$dir/responder.toml" <<TOML
[daemon]
control_socket = "$dir/ikesharp.sock"
tun_name = "iklbench0"
cookie_threshold = 1000000
cookie_threshold_ip = 1000000
block_threshold = 1000000

[daemon.log]
default = "warn"

[connections.load]
local_addrs = ["10.98.0.2"]
proposals = ["aes128gcm16-prfsha256-x25519"]

[connections.load.local]
auth = "psk"
id = "10.98.0.2"

[connections.load.remote]
auth = "psk"
id = "%any"

[connections.load.children.net]
local_ts = ["10.2.0.0/24"]
remote_ts = ["10.1.0.0/24"]
esp_proposals = ["aes128gcm16"]

[secrets.ike-load]
secret = "$psk"
TOML
    chmod 600 "$dir/responder.toml"
    ip netns exec $b dotnet "$cli" daemon --config "$dir/responder.toml" > "$dir/responder.log" 2>&1 &
    pid=$!
    until [ -S "$dir/ikesharp.sock" ]; do sleep 0.2; kill -0 $pid || { cat "$dir/responder.log"; exit 1; }; done
    ;;
strongswan)
    mkdir -p "$dir/run" "$dir/swanctl"
    cat > "$dir/strongswan.conf" <<CONF
charon {
    load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey curve25519 aes sha1 sha2 hmac gcm kdf kernel-libipsec kernel-netlink socket-default vici
    install_routes = no
    dos_protection = no
    cookie_threshold = 1000000
    block_threshold = 1000000
    filelog { main { path = $dir/charon.log
                     flush_line = yes
                     default = ${CHARON_LOG_LEVEL:-0} } }
    plugins { vici { socket = unix://$dir/charon.vici } }
}
CONF
    cat > "$dir/swanctl/swanctl.conf" <<CONF
connections { load { local_addrs = 10.98.0.2
                     proposals = aes128gcm16-prfsha256-x25519
                     local { auth = psk
                             id = 10.98.0.2 }
                     remote { auth = psk }
                     children { net { local_ts = 10.2.0.0/24
                                      remote_ts = 10.1.0.0/24
                                      esp_proposals = aes128gcm16 } } } }
secrets { ike-load { secret = "$psk" } }
CONF
    # charon's pid file and socket paths are compiled in: a private /run in a private mount namespace.
    ip netns exec $b unshare --mount --propagation private /bin/sh -c \
        "mount --bind '$dir/run' /run && exec env STRONGSWAN_CONF='$dir/strongswan.conf' /usr/lib/ipsec/charon" > "$dir/charon.out" 2>&1 &
    pid=$!
    until [ -S "$dir/charon.vici" ]; do sleep 0.2; kill -0 $pid || { cat "$dir/charon.out"; exit 1; }; done
    SWANCTL_DIR="$dir/swanctl" swanctl --load-all --noprompt --uri "unix://$dir/charon.vici" > "$dir/swanctl.log" 2>&1
    ;;
*)
    echo "responder must be ikesharp or strongswan" >&2
    exit 2
    ;;
esac

echo "ip netns exec $a dotnet $cli load --remote 10.98.0.2 --count $count --concurrency $concurrency --proposal aes128gcm16-prfsha256-x25519 --esp-proposal aes128gcm16 --psk $psk --delete $*"
ip netns exec $a dotnet "$cli" load --remote 10.98.0.2 --count "$count" --concurrency "$concurrency" \
    --proposal aes128gcm16-prfsha256-x25519 --esp-proposal aes128gcm16 --psk "$psk" --delete "$@"
