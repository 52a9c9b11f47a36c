#!/usr/bin/env bash
# The one test command: installs what the tests need on a fresh Debian 12 machine (as root),
# restores, builds and runs every test project. Exits non-zero on any failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# --- Debian packages the tests use -------------------------------------------------------------
# tshark: the cross-check that our encoded messages decode in Wireshark's dissector.
need=()
command -v tshark >/dev/null 2>&1 || need+=(tshark)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: missing ${need[*]}; run as root to install them" >&2
    exit 1
  fi
  echo "test.sh: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# --- build and test ------------------------------------------------------------------------------
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet restore IkeSharp.slnx --nologo -v quiet
dotnet build IkeSharp.slnx -c Release --no-restore --nologo -v quiet

status=0
passed=0
failed=0
skipped=0
results="$root/.build/test-results"
rm -rf "$results"
mkdir -p "$results"
for proj in tests/*/*.Tests.csproj; do
  name="$(basename "$proj" .csproj)"
  echo "=== $name"
  if ! dotnet test "$proj" -c Release --no-build --nologo \
        --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
        --logger "console;verbosity=minimal"; then
    status=1
  fi
done

# One summary line over all projects, from the TRX files.
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  line=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$line"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$line")
  nx=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$line")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${nx:-0}))
done
echo
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$passed" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  status=1
fi
exit $status
