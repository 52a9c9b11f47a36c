#!/usr/bin/env bash
# Runs the BenchmarkDotNet benchmarks in Release. Usage: bench/run.sh [FILTER] [extra BenchmarkDotNet args]
# e.g. bench/run.sh '*Codec*' --job short      Results land in bench/BenchmarkDotNet.Artifacts/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
filter="${1:-*}"
shift || true
dotnet run -c Release --project IkeSharp.Bench -- --filter "$filter" --artifacts BenchmarkDotNet.Artifacts "$@"
