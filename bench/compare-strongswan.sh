#!/bin/sh
# Our daemon and Debian's strongSwan 5.9 (charon, kernel-libipsec) under the same load, same config,
# in one run, on one machine (issue 6 §2). As root, from the repository root:
#
#   bench/compare-strongswan.sh [COUNT] [MEMORY_COUNT]          # default 2000 and 10000
#   PARTS=cpu,latency bench/compare-strongswan.sh 500           # only some parts (default: all)
#   PARTS=cpu CELLS=ecdsa KINDS=ours WRITE=no bench/compare-strongswan.sh 2000
#                                                               # one cell, our responder only, for iterating
#
# Two network namespaces joined by a veth pair; the responder (ours or charon) runs pinned to CPU 0,
# the load generator (`ikesharp load`) or our initiating daemon and iperf3's client to CPU 1.
# Parts (PARTS, comma-separated; the default runs every one):
#   cpu        responder CPU time per established IKE SA with one Child SA (utime + stime of the
#              responder process from /proc/PID/stat over COUNT setups, 50 in flight, after WARMUP
#              setups, default 500, deleted again), setups/s and
#              p50 as the load generator saw them, for three cells: PSK + x25519, PSK + modp2048
#              (aes128gcm16-prfsha256, ESP aes128gcm16), and ECDSA P-256 certificates + ecp256; for
#              the last also the raw crypto floor of one such responder setup, measured in the same
#              run (bench/IkeSharp.Bench `floor ecdsa`), and the ratio of ours to it;
#   memory     RSS with no SA and with MEMORY_COUNT SAs held (PSK + x25519): memory per SA;
#   latency    one IKE_SA_INIT + IKE_AUTH with a Child SA at a time (`ikesharp load --concurrency 1`,
#              LATENCY_COUNT setups, default 300): p50 and p90 from IKE_SA_INIT sent to Child SA installed;
#   throughput iperf3 TCP (THROUGHPUT_SECONDS, default 10) from 10.1.0.1 behind our initiating daemon
#              to 10.2.0.1 behind the responder, ESP in UDP, aes128gcm16 and aes256-sha256: ours to
#              strongSwan and ours to ours.
# Quick iterations (the defaults measure everything and are what docs/performance.md quotes):
#   KINDS="ours"               responders to measure (default "strongswan ours")
#   CELLS=x25519,modp2048      cpu cells (default x25519,modp2048,ecdsa; the ECDSA floor only with ecdsa)
#   RESPONDER_DLL=PATH         another build's ikesharp.dll as our responder (the load generator stays
#                              this tree's), to compare two builds interleaved
#   WRITE=no                   print the table only; leave bench/results, docs/performance.md and the SVG
#   KE_REUSE_TIME=30s          our responder with [daemon] ke_reuse_time (RFC 7296 §2.12; default off)
# Prints the table with the ratios ours/strongSwan, writes it to bench/results/compare-strongswan.md,
# puts the same into docs/performance.md between its compare-strongswan markers, and draws
# docs/compare-strongswan.svg (CPU per SA and throughput side by side).
set -eu
count=${1:-2000}
memory_count=${2:-10000}
parts=${PARTS:-cpu,memory,latency,throughput}
concurrency=${CONCURRENCY:-50}
warmup=${WARMUP:-500}
latency_count=${LATENCY_COUNT:-300}
throughput_seconds=${THROUGHPUT_SECONDS:-10}
# RESPONDERS=strongswan,ours and UPDATE_DOCS=no are older spellings of KINDS and WRITE.
kinds=${KINDS:-$(echo "${RESPONDERS:-strongswan,ours}" | tr , ' ')}
cells=${CELLS:-x25519,modp2048,ecdsa}
write=${WRITE:-${UPDATE_DOCS:-yes}}
root=$(cd "$(dirname "$0")/.." && pwd)
cli="$root/src/IkeSharp.Cli/bin/Release/net10.0/ikesharp.dll"
responder_cli=${RESPONDER_DLL:-$cli}
bench="$root/bench/IkeSharp.Bench/bin/Release/net10.0/IkeSharp.Bench.dll"
[ "$(id -u)" = 0 ] || { echo "needs root (namespaces, TUN devices)" >&2; exit 2; }
[ -f "$cli" ] || dotnet build "$root/src/IkeSharp.Cli" -c Release -v quiet
has() { case ",$parts," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
has_cell() { case ",$cells," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
if has cpu && has_cell ecdsa && [ ! -f "$bench" ]; then dotnet build "$root/bench/IkeSharp.Bench" -c Release -v quiet; fi
if has throughput && ! command -v iperf3 > /dev/null; then echo "the throughput part needs iperf3" >&2; exit 2; fi
dir=$(mktemp -d /tmp/ikesharp-compare.XXXXXX)
a=ikc-a b=ikc-b
psk=compare-psk-0123456789abcdef
pid=
init_pid=
hz=$(getconf CLK_TCK)
started_at=$(date +%s)

. "$root/bench/lib/responders.sh"
addr_a=10.97.0.1 addr_b=10.97.0.2 cpu=0
pki="$dir/pki"

stop_initiator() {
    if [ -n "$init_pid" ]; then
        kill "$init_pid" 2>/dev/null || true
        wait "$init_pid" 2>/dev/null || true
        init_pid=
    fi
}

cleanup() {
    stop_initiator
    stop_responder
    [ -f "$dir/iperf3.pid" ] && kill "$(cat "$dir/iperf3.pid")" 2>/dev/null || true
    netns_down
    rm -rf "$dir"
}

trap cleanup EXIT INT TERM
netns_up ikc
# The initiator's protected LAN, for iperf3's client; the responder's (10.2.0.1) netns_up made.
ip -n "$a" addr add 10.1.0.1/24 dev lo
make_pki "$pki"

# CPU ticks (utime + stime, fields 14 and 15 of /proc/PID/stat) of the responder, and its RSS in KiB.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }

credentials() { # psk|pubkey -> the load generator's credential options
    if [ "$1" = pubkey ]; then
        echo "--cert $pki/init.crt --key $pki/init.key --cacert $pki/ca.crt"
    else
        echo "--psk $psk"
    fi
}

load() { # PROPOSAL ESP COUNT CONCURRENCY [extra args] -> JSON line
    proposal=$1 esp=$2 n=$3 c=$4
    shift 4
    ip netns exec $a taskset -c 1 dotnet "$cli" load --remote "$addr_b" --count "$n" --concurrency "$c" \
        --proposal "$proposal" --esp-proposal "$esp" $(credentials "${auth:-psk}") --json "$@" | tail -1
}

json() { # JSON KEY -> number
    printf '%s' "$1" | sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p"
}

results="$dir/results.txt"
: > "$results"

# ---------------------------------------------------------------- cpu and memory
if has cpu || has memory; then
    for cell in "x25519 psk aes128gcm16-prfsha256-x25519" "modp2048 psk aes128gcm16-prfsha256-modp2048" "ecdsa pubkey aes128gcm16-prfsha256-ecp256"; do
        set -- $cell
        name=$1 auth=$2 proposal=$3 esp=aes128gcm16
        has cpu || [ "$name" = x25519 ] || continue
        has memory && [ "$name" = x25519 ] || has_cell "$name" || continue
        for kind in $kinds; do
            start_responder $kind "$proposal" "$esp"
            sleep 1
            if has cpu && has_cell "$name"; then
                # A warm-up batch, deleted again, then the measured run. .NET's tiered compilation
                # recompiles hot methods in the background for a while: after 100 setups a profile
                # of our responder still had about 15% of its samples in the JIT, which a
                # long-running daemon no longer pays; hence WARMUP (default 500) for both responders.
                load "$proposal" "$esp" "$warmup" "$concurrency" --delete > /dev/null
                before=$(cpu_ticks)
                report=$(load "$proposal" "$esp" "$count" "$concurrency" --delete)
                after=$(cpu_ticks)
                established=$(json "$report" established)
                rate=$(json "$report" setups_per_second)
                p50=$(json "$report" p50)
                cpu_us=$(awk -v d=$((after - before)) -v hz="$hz" -v n="$established" 'BEGIN { if (n > 0) printf "%.0f", d * 1e6 / hz / n; else print "NA" }')
                echo "$name $kind $established $cpu_us $rate $p50" >> "$results"
                echo "$name $kind: $established SAs, responder CPU $cpu_us us/SA, $rate setups/s, p50 $p50 ms" >&2
            fi
            if has memory && [ "$name" = x25519 ]; then
                rss0=$(rss_kib)
                report=$(load "$proposal" "$esp" "$memory_count" "$concurrency" --id-pattern "mem-%d")
                held=$(json "$report" established)
                rss1=$(rss_kib)
                per_sa=$(awk -v a="$rss0" -v b="$rss1" -v n="$held" 'BEGIN { if (n > 0) printf "%.1f", (b - a) / n; else print "NA" }')
                echo "memory $kind $held $rss0 $rss1 $per_sa" >> "$results"
                echo "memory $kind: RSS $rss0 KiB with none, $rss1 KiB with $held SAs: $per_sa KiB per SA" >&2
            fi
            stop_responder
        done
    done
    auth=psk
    if has cpu && has_cell ecdsa; then
        # The raw crypto floor of one ECDSA + ecp256 responder setup, on the responder's core.
        floor=$(taskset -c 0 dotnet "$bench" floor ecdsa 5 | sed -n 's/.*wall, \([0-9.]*\) us CPU each.*/\1/p')
        echo "floor ecdsa $floor" >> "$results"
        echo "ECDSA + ecp256 responder crypto floor: $floor us CPU" >&2
    fi
fi

# ---------------------------------------------------------------- latency, one setup at a time
if has latency; then
    for kind in $kinds; do
        start_responder $kind aes128gcm16-prfsha256-x25519 aes128gcm16
        sleep 1
        load aes128gcm16-prfsha256-x25519 aes128gcm16 50 1 --delete > /dev/null
        report=$(load aes128gcm16-prfsha256-x25519 aes128gcm16 "$latency_count" 1 --delete)
        echo "latency $kind $(json "$report" established) $(json "$report" p50) $(json "$report" p90)" >> "$results"
        echo "latency $kind: $(json "$report" established) setups one at a time, p50 $(json "$report" p50) ms, p90 $(json "$report" p90) ms" >&2
        stop_responder
    done
fi

# ---------------------------------------------------------------- throughput through the tunnel
if has throughput; then
    ip netns exec "$b" taskset -c 0 iperf3 -s -B 10.2.0.1 -D -I "$dir/iperf3.pid" --logfile "$dir/iperf3-server.log"
    for esp in aes128gcm16 aes256-sha256; do
        for kind in $kinds; do
            remote_ts=10.1.0.0/24 install_routes=yes encap=yes start_responder $kind aes128gcm16-prfsha256-x25519 "$esp"
            cat > "$dir/initiator.toml" <<TOML
[daemon]
control_socket = "$dir/initiator.sock"
tun_name = "ikinit0"
[daemon.log]
default = "warn"
[connections.peer]
local_addrs = ["$addr_a"]
remote_addrs = ["$addr_b"]
proposals = ["aes128gcm16-prfsha256-x25519"]
encap = true
[connections.peer.local]
auth = "psk"
id = "$addr_a"
[connections.peer.remote]
auth = "psk"
id = "$addr_b"
[connections.peer.children.net]
local_ts = ["10.1.0.0/24"]
remote_ts = ["10.2.0.0/24"]
esp_proposals = ["$esp"]
[secrets.ike-peer]
secret = "$psk"
TOML
            chmod 600 "$dir/initiator.toml"
            rm -f "$dir/initiator.sock"
            ip netns exec "$a" taskset -c 1 dotnet "$cli" daemon --config "$dir/initiator.toml" > "$dir/initiator.log" 2>&1 &
            init_pid=$!
            until [ -S "$dir/initiator.sock" ]; do sleep 0.2; kill -0 $init_pid || { cat "$dir/initiator.log"; exit 1; }; done
            dotnet "$cli" up peer --control-socket "$dir/initiator.sock" > "$dir/up.log" 2>&1 || { cat "$dir/up.log" "$dir/initiator.log" >&2; exit 1; }
            tries=0
            until ip netns exec "$a" ping -q -c 1 -W 1 -I 10.1.0.1 10.2.0.1 > /dev/null 2>&1; do
                tries=$((tries + 1))
                [ $tries -lt 20 ] || { echo "no ping through the tunnel to $kind ($esp)" >&2; cat "$dir/initiator.log" >&2; exit 1; }
            done
            ip netns exec "$a" taskset -c 1 iperf3 -c 10.2.0.1 -B 10.1.0.1 -t "$throughput_seconds" -J > "$dir/iperf3.json"
            mbit=$(python3 -c 'import json, sys; print("%.0f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e6))' "$dir/iperf3.json")
            echo "throughput-$esp $kind $mbit" >> "$results"
            echo "throughput $esp, ours to $kind: $mbit Mbit/s" >&2
            stop_initiator
            stop_responder
        done
    done
fi

# ---------------------------------------------------------------- the table
charon_version=$(dpkg-query -W -f '${Version}' strongswan-charon 2>/dev/null || echo unknown)
dotnet_version=$(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ { v = $2 } END { print v }')
cpu_model=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
minutes=$(( ($(date +%s) - started_at + 59) / 60 ))
table="$dir/table.md"
awk -v count="$count" -v memory_count="$memory_count" -v concurrency="$concurrency" '
    function ratio(o, s) { return (s > 0 && o != "" && s != "") ? sprintf("%.2f", o / s) : "" }
    function fmt(x, d) { return (x == "" || d == "") ? x : sprintf("%." d "f", x) }
    function row(label, s, o, unit, d) { if (s != "" || o != "") printf "| %s | %s%s | %s%s | %s |\n", label, fmt(s, d), (s != "" ? unit : ""), fmt(o, d), (o != "" ? unit : ""), ratio(o, s) }
    $1 ~ /^(x25519|modp2048|ecdsa)$/ { cpu[$1, $2] = $4; rate[$1, $2] = $5; p50[$1, $2] = $6 }
    $1 == "floor" { floor = $3 }
    $1 == "memory" { held[$2] = $3; rss0[$2] = $4; rss1[$2] = $5; per[$2] = $6 }
    $1 == "latency" { l50[$2] = $4; l90[$2] = $5 }
    $1 ~ /^throughput-/ { tput[substr($1, 12), $2] = $3 }
    END {
        print "| measure | strongSwan 5.9.8 | IkeSharp | ours / strongSwan |"
        print "|---|---:|---:|---:|"
        row("responder CPU per IKE SA + Child SA, PSK + x25519", cpu["x25519", "strongswan"], cpu["x25519", "ours"], " µs")
        row("responder CPU per IKE SA + Child SA, PSK + modp2048", cpu["modp2048", "strongswan"], cpu["modp2048", "ours"], " µs")
        row("responder CPU per IKE SA + Child SA, ECDSA P-256 certificates + ecp256", cpu["ecdsa", "strongswan"], cpu["ecdsa", "ours"], " µs")
        row("setups/s, PSK + x25519 (" concurrency " in flight)", rate["x25519", "strongswan"], rate["x25519", "ours"], "")
        row("setups/s, PSK + modp2048", rate["modp2048", "strongswan"], rate["modp2048", "ours"], "")
        row("setups/s, ECDSA + ecp256", rate["ecdsa", "strongswan"], rate["ecdsa", "ours"], "")
        row("setup latency p50 under load, PSK + x25519", p50["x25519", "strongswan"], p50["x25519", "ours"], " ms", 0)
        row("setup latency p50 under load, PSK + modp2048", p50["modp2048", "strongswan"], p50["modp2048", "ours"], " ms", 0)
        row("setup latency p50 under load, ECDSA + ecp256", p50["ecdsa", "strongswan"], p50["ecdsa", "ours"], " ms", 0)
        row("one setup at a time (IKE_SA_INIT + IKE_AUTH + Child SA), p50", l50["strongswan"], l50["ours"], " ms", 2)
        row("one setup at a time, p90", l90["strongswan"], l90["ours"], " ms", 2)
        row("RSS with no SA", rss0["strongswan"], rss0["ours"], " KiB")
        row("RSS with " held["strongswan"] " / " held["ours"] " SAs held", rss1["strongswan"], rss1["ours"], " KiB")
        row("memory per IKE SA + Child SA", per["strongswan"], per["ours"], " KiB")
        row("iperf3 TCP through the tunnel, aes128gcm16 (ours to strongSwan / ours to ours)", tput["aes128gcm16", "strongswan"], tput["aes128gcm16", "ours"], " Mbit/s")
        row("iperf3 TCP through the tunnel, aes256-sha256 (ours to strongSwan / ours to ours)", tput["aes256-sha256", "strongswan"], tput["aes256-sha256", "ours"], " Mbit/s")
        if (floor != "" && cpu["ecdsa", "ours"] != "") {
            printf "\nThe raw crypto floor of one ECDSA P-256 + ecp256 responder setup (ECDH key pair and shared secret, SKEYSEED and SK_*, the IKE_AUTH opened and sealed, the CA signature on the peer'"'"'s certificate and its AUTH verified, our AUTH signed, the Child SA'"'"'s KEYMAT and AES-GCM contexts; `IkeSharp.Bench floor ecdsa`, on the responder'"'"'s core in the same run): %.0f µs of CPU. Our responder spends %.2fx that (issue 6 target: <= 1.5x).\n", floor, cpu["ecdsa", "ours"] / floor
        }
    }' "$results" > "$table"

if [ "$write" = no ]; then
    cat "$table"
    exit 0
fi

out="$root/bench/results/compare-strongswan.md"
{
    echo "# Responder and tunnel: ours vs strongSwan"
    echo
    echo "<!-- generated by bench/compare-strongswan.sh; do not edit by hand -->"
    echo "Command: \`PARTS=$parts bench/compare-strongswan.sh $count $memory_count\` (as root), $(date -u '+%Y-%m-%d %H:%M') UTC, $minutes min."
    echo "Machine: $cpu_model, $(nproc) cores, Linux $(uname -r), .NET $dotnet_version, strongSwan $charon_version (charon, kernel-libipsec, \`dos_protection = no\`), $(iperf3 --version 2>/dev/null | head -1 | cut -d' ' -f1-2)."
    echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other jobs share the two cores: the figures move between runs)."
    echo "Responder pinned to CPU 0; \`ikesharp load\` (or our initiating daemon and iperf3's client) to CPU 1."
    if has cpu || has memory; then echo "CPU: $warmup setups to warm up, then $count per cell, $concurrency in flight, one Child SA (aes128gcm16) per IKE SA, deleted afterwards; memory: $memory_count SAs held (PSK + x25519)."; fi
    if has latency; then echo "One setup at a time: $latency_count setups, PSK + x25519, \`ikesharp load --concurrency 1\` between the two namespaces (a veth pair)."; fi
    if has throughput; then echo "Throughput: iperf3 TCP for $throughput_seconds s, 10.1.0.1 behind our initiating daemon to 10.2.0.1 behind the responder, ESP in UDP 4500 (RFC 3948), IKE aes128gcm16-prfsha256-x25519."; fi
    echo
    cat "$table"
} > "$out"
cat "$out"

# The same text in docs/performance.md, between its markers, so the two cannot disagree.
doc="$root/docs/performance.md"
if grep -q '<!-- compare-strongswan:begin -->' "$doc"; then
    awk -v results="$out" '
        /<!-- compare-strongswan:begin -->/ { print; while ((getline line < results) > 0) if (line !~ /^# / && line !~ /^<!-- generated/) print line; skip = 1; next }
        /<!-- compare-strongswan:end -->/ { skip = 0 }
        !skip' "$doc" > "$dir/performance.md"
    cat "$dir/performance.md" > "$doc"
fi

# A chart: CPU per SA for each cell, and throughput for each ESP proposal, strongSwan and ours side by side.
svg="$root/docs/compare-strongswan.svg"
awk -v out="$svg" '
    $1 ~ /^(x25519|modp2048|ecdsa)$/ { v[$1 "," $2] = $4 }
    $1 ~ /^throughput-/ { v[substr($1, 12) "," $2] = $3 }
    function group(i, key, label, unit,    s, o, m, x, hs, ho) {
        s = v[key ",strongswan"] + 0; o = v[key ",ours"] + 0; m = (s > o ? s : o); if (m == 0) m = 1
        x = 30 + i * 150 + (i >= 3 ? 40 : 0)
        hs = 200 * s / m; ho = 200 * o / m
        printf "<rect x=\"%d\" y=\"%d\" width=\"50\" height=\"%d\" fill=\"#888\"/><text x=\"%d\" y=\"%d\">%s</text>\n", x, 280 - hs, hs, x, 275 - hs, s > out
        printf "<rect x=\"%d\" y=\"%d\" width=\"50\" height=\"%d\" fill=\"#2a7\"/><text x=\"%d\" y=\"%d\">%s</text>\n", x + 56, 280 - ho, ho, x + 56, 275 - ho, o > out
        printf "<text x=\"%d\" y=\"298\">%s</text><text x=\"%d\" y=\"312\" fill=\"#555\">%s</text>\n", x, label, x, unit > out
    }
    END {
        print "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"820\" height=\"330\" font-family=\"sans-serif\" font-size=\"12\">" > out
        print "<rect width=\"820\" height=\"330\" fill=\"white\"/>" > out
        print "<text x=\"10\" y=\"20\" font-size=\"14\">Responder CPU per IKE SA + Child SA (lower is better)</text>" > out
        print "<text x=\"500\" y=\"20\" font-size=\"14\">iperf3 TCP through the tunnel (higher is better)</text>" > out
        print "<line x1=\"480\" y1=\"30\" x2=\"480\" y2=\"315\" stroke=\"#ccc\"/>" > out
        group(0, "x25519", "PSK + x25519", "µs CPU")
        group(1, "modp2048", "PSK + modp2048", "µs CPU")
        group(2, "ecdsa", "ECDSA + ecp256", "µs CPU")
        group(3, "aes128gcm16", "aes128gcm16", "Mbit/s")
        group(4, "aes256-sha256", "aes256-sha256", "Mbit/s")
        print "<rect x=\"10\" y=\"32\" width=\"12\" height=\"12\" fill=\"#888\"/><text x=\"28\" y=\"43\">strongSwan 5.9.8 (throughput: ours to strongSwan)</text>" > out
        print "<rect x=\"10\" y=\"50\" width=\"12\" height=\"12\" fill=\"#2a7\"/><text x=\"28\" y=\"61\">IkeSharp (throughput: ours to ours)</text>" > out
        print "</svg>" > out
    }' "$results"
echo "results: $out; chart: $svg; docs: $doc"
