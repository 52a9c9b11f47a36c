#!/usr/bin/env bash
# The one test command: installs what the tests need on a fresh Debian 12 machine (as root),
# restores, builds and runs every test project. Exits non-zero on any failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# --- Debian packages the tests use -------------------------------------------------------------
# tshark: the cross-check that our encoded messages decode in Wireshark's dissector.
# strongSwan (charon, swanctl, kernel-libipsec in libcharon-extra-plugins, chapoly in
# libstrongswan-extra-plugins), iperf3, ping, openssl, ip: the interoperability suite, which runs
# our daemon against Debian's strongSwan 5.9 in network namespaces (tests/IkeSharp.Interop.Tests).
need=()
command -v tshark >/dev/null 2>&1 || need+=(tshark)
[ -x /usr/lib/ipsec/charon ] || need+=(strongswan-charon)
command -v swanctl >/dev/null 2>&1 || need+=(strongswan-swanctl)
[ -e /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ] || need+=(libcharon-extra-plugins)
[ -e /usr/lib/ipsec/plugins/libstrongswan-chapoly.so ] || need+=(libstrongswan-extra-plugins)
command -v iperf3 >/dev/null 2>&1 || need+=(iperf3)
command -v ping >/dev/null 2>&1 || need+=(iputils-ping)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v unshare >/dev/null 2>&1 || need+=(util-linux)
# python3: the spoofed IKE_SA_INIT flood (tests/IkeSharp.Interop.Tests/flood.py) and the non-root probe of the control socket.
[ -x /usr/bin/python3 ] || need+=(python3)
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
# The Debian package may start a system charon; the suite runs its own in namespaces and needs
# nothing from it, but a system one would hold UDP 500/4500 in the root namespace: stop it.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet strongswan-starter 2>/dev/null; then
  systemctl stop strongswan-starter || true
fi
[ -c /dev/net/tun ] || { mkdir -p /dev/net && mknod /dev/net/tun c 10 200 && chmod 0666 /dev/net/tun; } || true

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

# --- fuzzing, a short bounded run of every target ------------------------------------------------
# scripts/fuzz.sh installs afl++ and the SharpFuzz tool when missing and fails on any crash
# (docs/fuzzing.md). FUZZ_CI_SECONDS per target (15 by default, about two minutes in all; 0 skips).
fuzz_seconds="${FUZZ_CI_SECONDS:-15}"
if [ "$fuzz_seconds" -gt 0 ]; then
  echo
  echo "=== fuzz: every target for ${fuzz_seconds}s"
  if ! scripts/fuzz.sh all "$fuzz_seconds"; then
    echo "test.sh: fuzzing found crashes or could not run" >&2
    status=1
  fi
fi
exit $status
