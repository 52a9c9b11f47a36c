#!/bin/sh
# Our daemon and Debian's strongSwan 5.9 (charon, kernel-libipsec) as responders under the same load
# from `ikesharp load`, in one run, on one machine (issue 6 §2). As root, from the repository root:
#
#   bench/compare-strongswan.sh [COUNT] [MEMORY_COUNT]      # default 2000 and 10000
#
# The responder runs pinned to CPU 0, the load generator to CPU 1 (taskset). Per cell and responder:
#   - responder CPU time per established IKE SA with one Child SA (utime + stime of the responder
#     process from /proc/PID/stat, before and after COUNT setups, divided by the SAs established);
#   - setups/s and latency p50 as the load generator saw them;
# and for PSK + x25519, RSS at 0 and after MEMORY_COUNT SAs (held, not deleted): memory per SA.
# Cells: PSK + x25519 + aes128gcm16; PSK + modp2048 + aes128gcm16.
# Prints a table with the ratios ours/strongSwan, writes it to bench/results/compare-strongswan.md
# and a chart to docs/compare-strongswan.svg.
set -eu
count=${1:-2000}
memory_count=${2:-10000}
concurrency=${CONCURRENCY:-50}
root=$(cd "$(dirname "$0")/.." && pwd)
cli="$root/src/IkeSharp.Cli/bin/Release/net10.0/ikesharp.dll"
[ -f "$cli" ] || dotnet build "$root/src/IkeSharp.Cli" -c Release -v quiet
dir=$(mktemp -d /tmp/ikesharp-compare.XXXXXX)
a=ikc-a b=ikc-b
psk=compare-psk-0123456789abcdef
pid=
hz=$(getconf CLK_TCK)

. "$root/bench/lib/responders.sh"
addr_a=10.97.0.1 addr_b=10.97.0.2 cpu=0

cleanup() {
    stop_responder
    netns_down
    rm -rf "$dir"
}

trap cleanup EXIT INT TERM
netns_up ikc

# CPU ticks (utime + stime, fields 14 and 15 of /proc/PID/stat) of the responder, and its RSS in KiB.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }

load() { # PROPOSAL ESP COUNT [extra args] -> JSON line
    proposal=$1 esp=$2 n=$3
    shift 3
    ip netns exec $a taskset -c 1 dotnet "$cli" load --remote "$addr_b" --count "$n" --concurrency "$concurrency" \
        --proposal "$proposal" --esp-proposal "$esp" --psk "$psk" --json "$@" | tail -1
}

json() { # JSON KEY -> number
    printf '%s' "$1" | sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p"
}

results="$dir/results.txt"
: > "$results"
for cell in "x25519 aes128gcm16-prfsha256-x25519 aes128gcm16" "modp2048 aes128gcm16-prfsha256-modp2048 aes128gcm16"; do
    set -- $cell
    name=$1 proposal=$2 esp=$3
    for kind in strongswan ours; do
        start_responder $kind "$proposal" "$esp"
        sleep 1
        # A warm-up batch (JIT, caches), deleted again, then the measured run.
        load "$proposal" "$esp" 100 --delete > /dev/null
        before=$(cpu_ticks)
        report=$(load "$proposal" "$esp" "$count" --delete)
        after=$(cpu_ticks)
        established=$(json "$report" established)
        rate=$(json "$report" setups_per_second)
        p50=$(printf '%s' "$report" | sed -n 's/.*"p50":\([0-9.]*\).*/\1/p')
        cpu_us=$(awk -v d=$((after - before)) -v hz="$hz" -v n="$established" 'BEGIN { if (n > 0) printf "%.0f", d * 1e6 / hz / n; else print "NA" }')
        echo "$name $kind $established $cpu_us $rate $p50" >> "$results"
        echo "$name $kind: $established SAs, responder CPU $cpu_us us/SA, $rate setups/s, p50 $p50 ms" >&2
        if [ "$name" = x25519 ]; then
            rss0=$(rss_kib)
            report=$(load "$proposal" "$esp" "$memory_count" --id-pattern "mem-%d")
            held=$(json "$report" established)
            rss1=$(rss_kib)
            per_sa=$(awk -v a="$rss0" -v b="$rss1" -v n="$held" 'BEGIN { if (n > 0) printf "%.1f", (b - a) / n; else print "NA" }')
            echo "memory $kind $held $rss0 $rss1 $per_sa" >> "$results"
            echo "memory $kind: RSS $rss0 KiB with none, $rss1 KiB with $held SAs: $per_sa KiB per SA" >&2
        fi
        stop_responder
    done
done

# The table, with ratios ours/strongSwan.
out="$root/bench/results/compare-strongswan.md"
{
    echo "# Responder: ours vs strongSwan (bench/compare-strongswan.sh $count $memory_count)"
    echo
    echo "$(date -u +%Y-%m-%d), $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), strongSwan $(/usr/lib/ipsec/charon --version 2>/dev/null | head -1 || echo 5.9), load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Responder on CPU 0, \`ikesharp load\` on CPU 1, $concurrency setups in flight, PSK, one Child SA per IKE SA."
    echo
    echo "| cell | strongSwan CPU/SA | ours CPU/SA | ratio | strongSwan setups/s | ours setups/s | p50 strongSwan / ours (ms) |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for name in x25519 modp2048; do
        s=$(awk -v n=$name '$1 == n && $2 == "strongswan"' "$results")
        o=$(awk -v n=$name '$1 == n && $2 == "ours"' "$results")
        echo "$s" "$o" | awk '{ printf "| %s | %s µs | %s µs | %.2f | %s | %s | %s / %s |\n", $1, $4, $10, ($4 > 0 ? $10 / $4 : 0), $5, $11, $6, $12 }'
    done
    echo
    echo "| memory | strongSwan | ours | ratio |"
    echo "|---|---:|---:|---:|"
    s=$(awk '$1 == "memory" && $2 == "strongswan"' "$results")
    o=$(awk '$1 == "memory" && $2 == "ours"' "$results")
    echo "$s" "$o" | awk '{ printf "| RSS with 0 SAs | %s KiB | %s KiB | |\n| RSS with %s / %s SAs | %s KiB | %s KiB | |\n| per IKE SA + Child SA | %s KiB | %s KiB | %.2f |\n", $4, $10, $3, $9, $5, $11, $6, $12, ($6 > 0 ? $12 / $6 : 0) }'
} > "$out"
cat "$out"

# A chart: CPU per SA for each cell, and memory per SA, strongSwan and ours side by side.
svg="$root/docs/compare-strongswan.svg"
awk -v out="$svg" '
    $1 != "memory" { v[$1 "," $2] = $4 }
    $1 == "memory" { v["KiB/SA," $2] = $6 }
    END {
        n = split("x25519 modp2048 KiB/SA", g, " ")
        print "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"300\" font-family=\"sans-serif\" font-size=\"12\">" > out
        print "<text x=\"10\" y=\"18\" font-size=\"14\">Responder cost per IKE SA + Child SA (lower is better): CPU µs, and memory KiB</text>" > out
        for (i = 1; i <= n; i++) {
            s = v[g[i] ",strongswan"] + 0; o = v[g[i] ",ours"] + 0; m = (s > o ? s : o); if (m == 0) m = 1
            x = 40 + (i - 1) * 200
            hs = 200 * s / m; ho = 200 * o / m
            printf "<rect x=\"%d\" y=\"%d\" width=\"60\" height=\"%d\" fill=\"#888\"/><text x=\"%d\" y=\"%d\">%s</text>\n", x, 260 - hs, hs, x, 255 - hs, s > out
            printf "<rect x=\"%d\" y=\"%d\" width=\"60\" height=\"%d\" fill=\"#2a7\"/><text x=\"%d\" y=\"%d\">%s</text>\n", x + 70, 260 - ho, ho, x + 70, 255 - ho, o > out
            printf "<text x=\"%d\" y=\"280\">%s</text>\n", x + 20, (g[i] == "KiB/SA" ? "memory (KiB)" : g[i] " CPU (µs)") > out
        }
        print "<rect x=\"460\" y=\"30\" width=\"12\" height=\"12\" fill=\"#888\"/><text x=\"478\" y=\"41\">strongSwan 5.9.8</text>" > out
        print "<rect x=\"460\" y=\"50\" width=\"12\" height=\"12\" fill=\"#2a7\"/><text x=\"478\" y=\"61\">IkeSharp</text>" > out
        print "</svg>" > out
    }' "$results"
echo "chart: $svg"
