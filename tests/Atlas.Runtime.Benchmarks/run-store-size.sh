#!/usr/bin/env bash
# The run store's size per run, against issue 14's goal of < 1 KB a run beyond its payload: `atlas run --batch` of
# N lines (default 100,000) of run-store/support.atlas (three agent steps on the offline mock) recorded with --store,
# the WAL checkpointed into the file, then
#   bytes a run     = the .db file's size / runs
#   payload a run   = inputs, outputs, step results, item results, model requests and replies, tool arguments and
#                     results (their UTF-8 bytes) / runs
#   overhead a run  = the difference: keys, ids, timestamps, usage, events, indexes, page headers and free space.
# Then where the bytes go: each table and index of the file (sqlite3's dbstat), per run, and for the tables with
# payload columns, the part that is not payload. Needs the sqlite3 command-line shell (apt-get install -y sqlite3).
#
#   tests/Atlas.Runtime.Benchmarks/run-store-size.sh           # 100,000 lines (about 10 minutes on a busy 2-core box)
#   tests/Atlas.Runtime.Benchmarks/run-store-size.sh 10000
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
atlas="$root/cli/Atlas.Cli/bin/Release/net10.0/atlas.dll"
n="${1:-100000}"

if ! command -v sqlite3 > /dev/null; then
  echo "run-store-size.sh: the sqlite3 shell is not installed (apt-get install -y sqlite3)" >&2
  exit 2
fi

dotnet build "$root/cli/Atlas.Cli" -c Release -nologo -v quiet > /dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "{\"id\": \"T-%d\", \"subject\": \"Printer %d jams\", \"body\": \"The printer on floor %d jams after %d pages.\"}\n", i, i % 7, i % 7, i % 50 }' > "$work/in.jsonl"

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, $(dotnet --version) SDK, sqlite3 $(sqlite3 --version | cut -d' ' -f1)"
dotnet "$atlas" run "$here/run-store/support.atlas" --batch "$work/in.jsonl" --output "$work/out.jsonl" --store "$work/runs.db" \
  2> "$work/err" > /dev/null || { cat "$work/err" >&2; exit 1; }
echo "$(grep -a 'batch done' "$work/err" | tail -1)"
sqlite3 "$work/runs.db" "PRAGMA wal_checkpoint(TRUNCATE);" > /dev/null

bytes=$(stat -c %s "$work/runs.db")
sqlite3 -separator ' ' "$work/runs.db" <<SQL
CREATE TEMP TABLE payload (object TEXT PRIMARY KEY, bytes INTEGER);
INSERT INTO payload SELECT 'runs', coalesce(sum(length(CAST(input AS BLOB)) + coalesce(length(CAST(output AS BLOB)), 0)), 0) FROM runs;
INSERT INTO payload SELECT 'steps', coalesce(sum(length(CAST(result AS BLOB))), 0) FROM steps;
INSERT INTO payload SELECT 'items', coalesce(sum(length(CAST(result AS BLOB))), 0) FROM items;
INSERT INTO payload SELECT 'model_calls', coalesce(sum(length(CAST(request AS BLOB)) + length(CAST(response AS BLOB))), 0) FROM model_calls;
INSERT INTO payload SELECT 'tool_calls', coalesce(sum(length(CAST(arguments AS BLOB)) + coalesce(length(CAST(result AS BLOB)), 0)), 0) FROM tool_calls;
CREATE TEMP TABLE totals AS SELECT (SELECT count(*) FROM runs) AS runs, $bytes AS bytes, (SELECT sum(bytes) FROM payload) AS payload;
SELECT printf('%d runs, %d bytes: %.1f bytes a run, %.1f of payload, %.1f beyond it (goal: < 1024)',
  runs, bytes, 1.0 * bytes / runs, 1.0 * payload / runs, 1.0 * (bytes - payload) / runs) FROM totals;
SELECT printf('%d model calls, %d steps, %d events a run', (SELECT count(*) FROM model_calls) / runs, (SELECT count(*) FROM steps) / runs, (SELECT count(*) FROM events) / runs) FROM totals;
SELECT 'where the bytes go, per run (table or index: its pages, of which payload, beyond payload, page space unused):';
SELECT printf('  %-32s %8.1f %8.1f %8.1f %8.1f', d.name, 1.0 * sum(d.pgsize) / t.runs, coalesce(p.bytes, 0) * 1.0 / t.runs,
    (sum(d.pgsize) - coalesce(p.bytes, 0)) * 1.0 / t.runs, 1.0 * sum(d.unused) / t.runs)
  FROM dbstat d CROSS JOIN totals t LEFT JOIN payload p ON p.object = d.name
  GROUP BY d.name ORDER BY sum(d.pgsize) DESC;
SQL
