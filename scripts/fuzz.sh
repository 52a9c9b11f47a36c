#!/usr/bin/env bash
# Fuzzes the IkeSharp assemblies with AFL++ through SharpFuzz (docs/fuzzing.md).
#
#   scripts/fuzz.sh TARGET SECONDS     one of: decode sk responder initiator config esp, or "all"
#
# Installs afl++ (Debian) and the SharpFuzz.CommandLine tool when missing, builds Release, copies
# the harness to fuzz/out/bin and instruments the IkeSharp assemblies there, builds the seed corpus
# (fuzz/seeds/TARGET, committed, plus seeds generated from the fixtures), runs afl-fuzz for SECONDS
# per target and prints executions, paths, crashes and hangs. Exits non-zero when any target
# crashed (every crash is replayed with its stack trace). Outputs stay under fuzz/out/ (ignored).
#
# Environment: FUZZ_RESUME=1 continues from the previous run's corpus in fuzz/out/afl/TARGET;
# FUZZ_NO_BUILD=1 reuses the instrumented build in fuzz/out/bin; FUZZ_TIMEOUT_MS (default 5000)
# is afl-fuzz's -t, an execution that takes longer is a hang.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

all_targets=(decode sk responder initiator config esp)
usage() { echo "usage: scripts/fuzz.sh TARGET|all SECONDS   (targets: ${all_targets[*]})" >&2; exit 2; }
[ $# -eq 2 ] || usage
[[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -gt 0 ] || usage
seconds="$2"
if [ "$1" = all ]; then
  targets=("${all_targets[@]}")
else
  # selftest: a target that crashes on its seed, to check that crashes are caught and fail the run.
  [[ " ${all_targets[*]} selftest " == *" $1 "* ]] || usage
  targets=("$1")
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
out="$root/fuzz/out"
bin="$out/bin"
# The uninstrumented build writes seeds and replays crashes: instrumented code outside afl-fuzz
# has no coverage map to write to.
plain="$root/fuzz/IkeSharp.Fuzz/bin/Release/net10.0/IkeSharp.Fuzz.dll"
tools="$out/tools"
mkdir -p "$out"

# --- tools -----------------------------------------------------------------------------------------
if ! command -v afl-fuzz >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "fuzz.sh: afl-fuzz missing; run as root to install afl++" >&2
    exit 1
  fi
  echo "fuzz.sh: installing afl++"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends afl++ >/dev/null
fi
if [ ! -x "$tools/sharpfuzz" ]; then
  echo "fuzz.sh: installing SharpFuzz.CommandLine 2.3.0 into fuzz/out/tools"
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$tools" >/dev/null
fi

# --- build and instrument --------------------------------------------------------------------------
# A copy of the harness's output is instrumented, so the build tree (and the tests) stay clean.
if [ "${FUZZ_NO_BUILD:-0}" != 1 ] || [ ! -f "$bin/IkeSharp.Fuzz.dll" ] || [ ! -f "$plain" ]; then
  dotnet build fuzz/IkeSharp.Fuzz/IkeSharp.Fuzz.csproj -c Release --nologo -v quiet
  rm -rf "$bin"
  cp -r fuzz/IkeSharp.Fuzz/bin/Release/net10.0 "$bin"
  for dll in IkeSharp.Wire IkeSharp.Crypto IkeSharp.Core IkeSharp.Esp IkeSharp.Daemon; do
    "$tools/sharpfuzz" "$bin/$dll.dll" >/dev/null
  done
fi

# --- fuzz ------------------------------------------------------------------------------------------
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1
export AFL_NO_UI=1 AFL_QUIET=1 AFL_FORKSRV_INIT_TMOUT=60000
# The harness is a managed program: no sanitizer or core dump settings apply.
timeout_ms="${FUZZ_TIMEOUT_MS:-5000}"
status=0
summary=()
for target in "${targets[@]}"; do
  seeds="$out/seeds/$target"
  rm -rf "$seeds"
  mkdir -p "$seeds"
  cp fuzz/seeds/"$target"/* "$seeds"/ 2>/dev/null || true
  dotnet "$plain" seeds "$target" "$seeds" "$root" >/dev/null
  # Every seed, the committed regression inputs among them, must pass the uninstrumented target.
  if ! dotnet "$plain" replay "$target" "$seeds" >"$out/$target.replay.log" 2>&1; then
    echo "fuzz.sh: a seed of $target raises an exception:" >&2
    tail -n 40 "$out/$target.replay.log" >&2
    status=1
    summary+=("$(printf '  %-12s seeds raise an exception (see above)' "$target")")
    continue
  fi
  findings="$out/afl/$target"
  if [ "${FUZZ_RESUME:-0}" = 1 ] && [ -d "$findings/default/queue" ]; then
    export AFL_AUTORESUME=1
  else
    unset AFL_AUTORESUME
    rm -rf "$findings"
  fi
  mkdir -p "$findings"
  echo "=== fuzz $target for ${seconds}s"
  log="$out/$target.log"
  # -V: stop after SECONDS. afl-fuzz exits 0 then; a failure to start is reported below.
  if ! afl-fuzz -V "$seconds" -t "$timeout_ms" -m none -i "$seeds" -o "$findings" \
        -- "$(command -v dotnet)" "$bin/IkeSharp.Fuzz.dll" "$target" >"$log" 2>&1; then
    echo "fuzz.sh: afl-fuzz failed for $target; the end of $log:" >&2
    tail -n 30 "$log" >&2
    status=1
    summary+=("$(printf '%-10s afl-fuzz failed to run' "$target")")
    continue
  fi
  stats="$findings/default/fuzzer_stats"
  stat() { sed -n "s/^$1 *: *//p" "$stats" | head -1; }
  execs=$(stat execs_done); eps=$(stat execs_per_sec); paths=$(stat corpus_count)
  crashes=$(stat saved_crashes); hangs=$(stat saved_hangs); runtime=$(stat run_time)
  summary+=("$(printf '%-10s %6ss %10s execs %9s exec/s %6s paths %4s crashes %4s hangs' \
    "$target" "${runtime:-?}" "${execs:-?}" "${eps:-?}" "${paths:-?}" "${crashes:-?}" "${hangs:-?}")")
  if [ "${crashes:-0}" != 0 ]; then
    status=1
    echo "fuzz.sh: $target: ${crashes} crashing inputs in $findings/default/crashes; replayed:" >&2
    dotnet "$plain" replay "$target" "$findings/default/crashes" >&2 || true
  fi
  if [ "${hangs:-0}" != 0 ]; then
    echo "fuzz.sh: $target: ${hangs} hangs (over ${timeout_ms} ms) in $findings/default/hangs" >&2
  fi
done

echo
echo "fuzz summary (afl++ $(afl-fuzz -h 2>&1 | grep -o '4\.[0-9a-z]*' | head -1), SharpFuzz 2.3.0):"
printf '  %s\n' "${summary[@]}"
exit $status
