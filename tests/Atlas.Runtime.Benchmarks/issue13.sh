#!/usr/bin/env bash
# Every measurement behind issue 13's goals, in one run, as the README's "Baseline before fused execution" tables:
#   1. --verify: every engine gives the same outputs (exit 1 otherwise: nothing is timed);
#   2. ShapeBenchmarks: one run of chain and fan per engine (BenchmarkDotNet; time, allocations, thread-pool work items);
#   3. --streams: 100,000 inputs at zero latency and 10,000 x 3 tools x 20 ms, each a fresh process;
#   4. cli-startup.sh: `atlas run` of a one-step mock workflow (hyperfine), and `atlas check`;
#   5. cli-batch.sh: `atlas run --batch` of 10,000 and 100,000 lines (lines/s, peak memory).
# The load average is printed before each part: on a shared box, read times against it (allocations and work items
# do not move with load). The whole log is kept in BenchmarkDotNet.Artifacts/issue13-<time>.log.
#
#   tests/Atlas.Runtime.Benchmarks/issue13.sh            # about 15 minutes on 2 cores
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
mkdir -p BenchmarkDotNet.Artifacts
log="BenchmarkDotNet.Artifacts/issue13-$(date -u +%Y%m%dT%H%M%SZ).log"
exec > >(tee "$log") 2>&1

load() { echo "== $1 · load average $(cut -d' ' -f1-3 /proc/loadavg) · $(date -u +%H:%M:%SZ)"; }

dotnet build -c Release -nologo -v quiet > /dev/null
benchmarks=(dotnet bin/Release/net10.0/Atlas.Runtime.Benchmarks.dll)

load "verify"
"${benchmarks[@]}" --verify

load "ShapeBenchmarks"
dotnet run -c Release --no-build -- --filter '*ShapeBenchmarks*'

load "streams"
"${benchmarks[@]}" --streams --rounds 3

load "CLI startup"
./cli-startup.sh

load "CLI batch"
./cli-batch.sh

load "done"
echo "log: $here/$log"
