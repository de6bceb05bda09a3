#!/usr/bin/env bash
# `atlas run --batch` as README.md quotes it: lines per second and peak memory for 10,000 and 100,000 lines through
# the one-step mock workflow of cli-startup/one-step.atlas (offline, no latency), on the plain Release build.
# Each line is the workflow's one argument, a JSON string. Memory should stay flat: 100,000 lines in about the peak of 10,000.
#
#   tests/Atlas.Runtime.Benchmarks/cli-batch.sh                 # 10,000 and 100,000 lines
#   tests/Atlas.Runtime.Benchmarks/cli-batch.sh 1000 50000      # other sizes
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
atlas="$root/cli/Atlas.Cli/bin/Release/net10.0/atlas.dll"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)

dotnet build "$root/cli/Atlas.Cli" -c Release -nologo -v quiet > /dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, $(dotnet --version) SDK"
for n in "${sizes[@]}"; do
  awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "\"Ticket %d: the printer on floor %d jams after %d pages\"\n", i, i % 7, i % 50 }' > "$work/in.jsonl"
  # The summary line on stderr has the count, the rate and the peak memory; /usr/bin/time the process's maximum RSS.
  /usr/bin/time -f "max RSS %M KB, %e s wall, %U s user" \
    dotnet "$atlas" run "$here/cli-startup/one-step.atlas" --batch "$work/in.jsonl" --output "$work/out.jsonl" \
    2> "$work/err" > /dev/null || { cat "$work/err" >&2; exit 1; }
  lines=$(wc -l < "$work/out.jsonl")
  [ "$lines" -eq "$n" ] || { echo "cli-batch.sh: $lines result lines for $n inputs" >&2; exit 1; }
  echo "$n lines: $(grep -a 'batch done' "$work/err" | tail -1)"
  echo "    $(tail -1 "$work/err")"
done
