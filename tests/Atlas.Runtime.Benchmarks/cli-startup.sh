#!/usr/bin/env bash
# Startup of the CLI, as issue 13 measures it: `atlas run` of a one-step workflow on the offline mock
# (cli-startup/one-step.atlas, no latency), on the plain Release build (dotnet atlas.dll, not `dotnet run`),
# with `atlas check` of examples/support-triage/support.atlas (no runtime loaded) and `atlas --version` beside it as the
# floor of starting the process at all. README.md's startup figures come from this script.
#
#   tests/Atlas.Runtime.Benchmarks/cli-startup.sh              # hyperfine -N -w 5 -r 30
#   tests/Atlas.Runtime.Benchmarks/cli-startup.sh -r 60        # extra hyperfine options go last
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# ATLAS_DLL times another build of the CLI (a ReadyToRun publish: artifacts/atlas/atlas.dll); else the Release build.
atlas="$(realpath "${ATLAS_DLL:-$root/cli/Atlas.Cli/bin/Release/net10.0/atlas.dll}")"

if ! command -v hyperfine > /dev/null; then
  echo "cli-startup.sh: hyperfine is not installed (apt-get install -y hyperfine)" >&2
  exit 2
fi

[ -n "${ATLAS_DLL:-}" ] || dotnet build "$root/cli/Atlas.Cli" -c Release -nologo -v quiet > /dev/null
run=(dotnet "$atlas" run "$here/cli-startup/one-step.atlas" --input "@$here/cli-startup/input.json")

# One run first: it must succeed, or the timings would be of an error.
"${run[@]}" > /dev/null 2>&1 || { echo "cli-startup.sh: the run failed: ${run[*]}" >&2; exit 1; }

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, $(dotnet --version) SDK"
hyperfine -N -w 5 -r 30 "$@" \
  --command-name "atlas run (one-step mock workflow)" "${run[*]}" \
  --command-name "atlas check (support-triage)" "dotnet $atlas check $root/examples/support-triage/support.atlas" \
  --command-name "atlas --version" "dotnet $atlas --version"
