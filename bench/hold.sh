#!/bin/sh
# Issue 6: one daemon holding COUNT IKE SAs (each with one Child SA) while dead peer detection and
# rekeying run. As root, from the repository root:
#
#   bench/hold.sh [COUNT] [HOLD]        # default 100000 SAs, held 12m after the last setup
#
# Our responder (`ikesharp daemon`, pinned to CPU 0) runs in a namespace with dpd_delay = 30s,
# IKE rekey_time = 8m (rand_time 1m, over_time 2m) and Child rekey_time = 6m (rand_time 1m,
# life_time 8m); `ikesharp load --hold` (CPU 1) sets up COUNT SAs with an identity each
# (--id-pattern), then holds them, answering the responder's liveness checks (RFC 7296 §1.4) and
# rekeys (§2.8, §2.18). Every 30 s the script samples both RSSs and UDP receive backlogs; at the end it reads the
# daemon's counters (`ikesharp status --counters --json`, docs/status.md) and the load generator's report, and
# prints RSS, liveness checks and rekeys done against the least expected, and what was missed:
# liveness checks not answered, IKE/Child SAs that reached their hard lifetime without a rekey,
# peers declared dead, SAs the initiator lost. Writes bench/results/hold.md.
#
# Environment: CLI (ikesharp.dll to run, default the Release build), PROPOSAL (default
# aes128gcm16-prfsha256-x25519), CONCURRENCY (default 100), DPD (30s), IKE_REKEY (8m),
# CHILD_REKEY (6m).
set -eu
count=${1:-100000}
hold=${2:-12m}
concurrency=${CONCURRENCY:-100}
proposal=${PROPOSAL:-aes128gcm16-prfsha256-x25519}
esp=aes128gcm16
dpd=${DPD:-30s}
ike_rekey=${IKE_REKEY:-8m}
child_rekey=${CHILD_REKEY:-6m}
root=$(cd "$(dirname "$0")/.." && pwd)
cli=${CLI:-"$root/src/IkeSharp.Cli/bin/Release/net10.0/ikesharp.dll"}
[ -f "$cli" ] || dotnet build "$root/src/IkeSharp.Cli" -c Release -v quiet
dir=$(mktemp -d /tmp/ikesharp-hold.XXXXXX)
a=ikh-a b=ikh-b
addr_a=10.96.0.1 addr_b=10.96.0.2
psk=hold-psk-0123456789abcdef
pid=
sampler=

. "$root/bench/lib/responders.sh"

cleanup() {
    [ -n "$sampler" ] && kill "$sampler" 2>/dev/null || true
    stop_responder
    netns_down
    rm -rf "$dir"
}

trap cleanup EXIT INT TERM
netns_up ikh

seconds() { # 30s, 8m, 1h -> seconds
    case "$1" in
    *h) echo $(( ${1%h} * 3600 )) ;;
    *m) echo $(( ${1%m} * 60 )) ;;
    *s) echo "${1%s}" ;;
    *) echo "$1" ;;
    esac
}

cat > "$dir/responder.toml" <<TOML
[daemon]
control_socket = "$dir/ikesharp.sock"
tun_name = "ikhold0"
cookie_threshold = 1000000
cookie_threshold_ip = 1000000
block_threshold = 1000000
auth_failure_limit = 0
[daemon.log]
default = "warn"
[connections.load]
local_addrs = ["$addr_b"]
proposals = ["$proposal"]
dpd_delay = "$dpd"
rekey_time = "$ike_rekey"
over_time = "2m"
rand_time = "1m"
[connections.load.local]
auth = "psk"
id = "$addr_b"
[connections.load.remote]
auth = "psk"
id = "%any"
[connections.load.children.net]
local_ts = ["10.2.0.0/24"]
remote_ts = ["0.0.0.0/0"]
esp_proposals = ["$esp"]
rekey_time = "$child_rekey"
life_time = "8m"
rand_time = "1m"
[secrets.ike-load]
secret = "$psk"
TOML
chmod 600 "$dir/responder.toml"
ip netns exec "$b" taskset -c 0 dotnet "$cli" daemon --config "$dir/responder.toml" > "$dir/responder.log" 2>&1 &
pid=$!
until [ -S "$dir/ikesharp.sock" ]; do sleep 0.2; kill -0 $pid || { cat "$dir/responder.log"; exit 1; }; done
sleep 1

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
# Octets waiting in a namespace's UDP sockets (the largest Recv-Q): a side that lags shows a backlog before it drops.
recvq() { ip netns exec "$1" ss -u -a -n -H 2>/dev/null | awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }'; }
rss0=$(rss_kib $pid)
start=$(date +%s)
# Every 30 s: time since start, responder RSS, load generator RSS, and the UDP receive backlog
# (octets) of the load generator's and the responder's namespaces.
(
    while sleep 30; do
        # The load generator: the largest of the processes with its command line (ip, taskset and dotnet exec in turn).
        lr=0
        for lp in $(pgrep -f "ikesharp.dll load --remote $addr_b" || true); do
            r=$(rss_kib "$lp" 2>/dev/null || echo 0)
            [ "${r:-0}" -gt "$lr" ] && lr=$r
        done
        echo "$(( $(date +%s) - start )) $(rss_kib $pid) $lr $(recvq $a) $(recvq $b)"
    done
) > "$dir/rss.txt" &
sampler=$!

echo "setting up $count SAs, then holding them for $hold (dpd_delay $dpd, IKE rekey_time $ike_rekey, Child rekey_time $child_rekey)" >&2
ip netns exec $a taskset -c 1 dotnet "$cli" load --remote "$addr_b" --count "$count" --concurrency "$concurrency" \
    --proposal "$proposal" --esp-proposal "$esp" --psk "$psk" --id-pattern "hold-%d" --hold "$hold" --json > "$dir/load.json" || true
report=$(tail -1 "$dir/load.json")
end=$(date +%s)
rss_end=$(rss_kib $pid)
# UDP datagrams each namespace's sockets dropped for want of receive buffer (the kernel's RcvbufErrors).
rcvbuf_errors() { ip netns exec "$1" awk '/^Udp:/ { n++; if (n == 2) print $6 }' /proc/net/snmp; }
drops_load=$(rcvbuf_errors $a)
drops_responder=$(rcvbuf_errors $b)
# Only the counters: the full status builds a row per SA (tens of megabytes of JSON at 100,000).
status=$(dotnet "$cli" status --counters --json --control-socket "$dir/ikesharp.sock")
kill "$sampler" 2>/dev/null || true
sampler=

num() { # JSON KEY -> number (first match)
    printf '%s' "$1" | sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" | head -1
}
counters=$(printf '%s' "$status" | sed -n 's/.*"counters":{\([^}]*\)}.*/\1/p')
established=$(num "$report" established)
setup_rate=$(num "$report" setups_per_second)
held_s=$(num "$report" seconds)
held_start=$(num "$report" held_at_start)
held_end=$(num "$report" held_at_end)
lost=$(num "$report" lost)
answered_by_load=$(num "$report" liveness_requests_answered)
dpd_sent=$(num "$counters" liveness_checks)
dpd_answered=$(num "$counters" liveness_answered)
ike_rekeys=$(num "$counters" ike_rekeys)
child_rekeys=$(num "$counters" child_rekeys)
dead=$(num "$counters" dead_peers)
ike_expired=$(num "$counters" ike_expired)
child_expired=$(num "$counters" child_expired)
drops=$(num "$counters" mailbox_drops)
ike_now=$(num "$counters" ike_sas)
rss_max=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$dir/rss.txt")
[ "$rss_end" -gt "$rss_max" ] && rss_max=$rss_end
load_rss_max=$(awk 'BEGIN { m = 0 } $3 > m { m = $3 } END { print m }' "$dir/rss.txt")
backlog_load=$(awk 'BEGIN { m = 0 } $4 > m { m = $4 } END { print m }' "$dir/rss.txt")
backlog_responder=$(awk 'BEGIN { m = 0 } $5 > m { m = $5 } END { print m }' "$dir/rss.txt")
total=$((end - start))
# The least expected: every SA rekeys its Child SA at least once per Child rekey_time and its IKE
# SA once per IKE rekey_time, counted from the end of the setups (when the last SA came up).
expect_child=$(awk -v n="$held_start" -v h="$held_s" -v r="$(seconds "$child_rekey")" 'BEGIN { printf "%d", n * int(h / r) }')
expect_ike=$(awk -v n="$held_start" -v h="$held_s" -v r="$(seconds "$ike_rekey")" 'BEGIN { printf "%d", n * int(h / r) }')
unanswered=$((dpd_sent - dpd_answered))

out="$root/bench/results/hold.md"
{
    echo "# One daemon holding $count IKE SAs with DPD and rekeying (bench/hold.sh $count $hold)"
    echo
    echo "$(date -u +%Y-%m-%d), $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Responder on CPU 0, \`ikesharp load --hold $hold\` on CPU 1, $concurrency setups in flight, PSK, $proposal, one Child SA ($esp) per IKE SA."
    echo "dpd_delay $dpd; IKE rekey_time $ike_rekey (rand_time 1m, over_time 2m); Child rekey_time $child_rekey (rand_time 1m, life_time 8m)."
    echo
    echo "| measure | figure |"
    echo "|---|---:|"
    echo "| SAs established / setups per second | $established / $setup_rate |"
    echo "| run: setups then hold | ${total} s, held ${held_s} s |"
    echo "| responder RSS: empty / at the end / peak | $rss0 KiB / $rss_end KiB / $rss_max KiB |"
    echo "| responder RSS per SA (end - empty) / SAs | $(awk -v a="$rss0" -v b="$rss_end" -v n="$ike_now" 'BEGIN { if (n > 0) printf "%.2f KiB", (b - a) / n; else print "NA" }') |"
    echo "| load generator RSS peak | $load_rss_max KiB |"
    echo "| IKE SAs held: start of hold / end of hold (the initiator's view: it runs no DPD of its own) / in the responder at the end | $held_start / $held_end / $ike_now |"
    echo "| DPD: responder's liveness checks sent / answered / answered by the initiator (its count) | $dpd_sent / $dpd_answered / $answered_by_load |"
    echo "| Child SA rekeys done / least expected during the hold | $child_rekeys / $expect_child |"
    echo "| IKE SA rekeys done / least expected during the hold | $ike_rekeys / $expect_ike |"
    echo "| missed: DPD unanswered (incl. in flight at the end) / dead peers / IKE expired / Child expired / lost by the initiator | $unanswered / $dead / $ike_expired / $child_expired / $lost |"
    echo "| responder mailbox drops | $drops |"
    echo "| UDP receive-buffer drops (kernel RcvbufErrors): load generator / responder | $drops_load / $drops_responder |"
    echo "| UDP receive backlog, highest sample (octets): load generator / responder | $backlog_load / $backlog_responder |"
    echo
    echo "Samples (seconds, responder RSS KiB, load generator RSS KiB, UDP receive backlog octets: load generator / responder):"
    echo
    echo '```'
    cat "$dir/rss.txt"
    echo '```'
} > "$out"
cat "$out"
