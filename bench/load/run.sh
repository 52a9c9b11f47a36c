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
a=ikl-bench-a b=ikl-bench-b addr_a=10.98.0.1 addr_b=10.98.0.2 remote_ts=10.1.0.0/24
psk=bench-load-psk-0123456789abcdef
pid=
. "$root/bench/lib/responders.sh"

cleanup() {
    stop_responder
    netns_down
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM
[ -n "${KEEP_LOG:-}" ] && trap "cp $dir/*.log /tmp/ 2>/dev/null; cleanup" EXIT INT TERM
netns_up ikl
case "$responder" in
ikesharp) start_responder ours aes128gcm16-prfsha256-x25519 aes128gcm16 ;;
*) start_responder "$responder" aes128gcm16-prfsha256-x25519 aes128gcm16 ;;
esac

echo "ip netns exec $a dotnet $cli load --remote $addr_b --count $count --concurrency $concurrency --proposal aes128gcm16-prfsha256-x25519 --esp-proposal aes128gcm16 --psk $psk --delete $*"
ip netns exec $a dotnet "$cli" load --remote "$addr_b" --count "$count" --concurrency "$concurrency" \
    --proposal aes128gcm16-prfsha256-x25519 --esp-proposal aes128gcm16 --psk "$psk" --delete "$@"
