#!/usr/bin/env bash
# Regenerates the tshark "golden" field listings that CaptureGoldenTests compares our decoder
# against. Run after adding a capture to tests/IkeSharp.Wire.Tests/Fixtures (needs tshark).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../tests/IkeSharp.Wire.Tests/Fixtures"
for pcap in sw-pair-*.pcapng; do
  out="${pcap%.pcapng}.tshark-fields.txt"
  tshark -r "$pcap" -n -Y isakmp -T fields -E separator='|' \
    -e frame.number -e isakmp.ispi -e isakmp.rspi -e isakmp.exchangetype -e isakmp.messageid \
    -e isakmp.flags -e isakmp.length -e isakmp.typepayload -e isakmp.notify.msgtype -e isakmp.nonce \
    2>/dev/null >"$out"
  echo "wrote $out ($(wc -l <"$out") messages)"
done
