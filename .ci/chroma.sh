#!/usr/bin/env bash
# ChromaDB for the knowledge tests (tests/Atlas.Knowledge.Tests, ChromaStoreTests).
#
#   source .ci/chroma.sh          # from .ci/run: install, start, export ATLAS_CHROMA_URL, stop on exit
#   bash .ci/chroma.sh install    # just install (the tests then start a server themselves)
#
# The server is the npm package `chromadb` 3.5.0 (its `chroma run` is the Rust server as a native
# Node binding), installed from .ci/chroma/package-lock.json into .ci/chroma/node_modules (git-ignored).
# The native binding is pinned to chromadb-js-bindings-linux-x64-gnu 1.0.1 through npm `overrides`:
# newer ones need a newer glibc than Debian 12's 2.36.
# It listens on 127.0.0.1 on a free port, with its data in a temp folder.

atlas_chroma_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/chroma"

atlas_chroma_install() {
  if [ ! -x "$atlas_chroma_dir/node_modules/.bin/chroma" ]; then
    (cd "$atlas_chroma_dir" && npm ci --no-audit --no-fund --loglevel=error) || return 1
  fi
}

atlas_chroma_stop() {
  if [ -n "${ATLAS_CHROMA_PID:-}" ]; then
    kill "$ATLAS_CHROMA_PID" 2>/dev/null || true
    wait "$ATLAS_CHROMA_PID" 2>/dev/null || true
    rm -rf "${ATLAS_CHROMA_DATA:-/nonexistent}"
    unset ATLAS_CHROMA_PID
  fi
}

atlas_chroma_start() {
  atlas_chroma_install || return 1
  local port
  port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  ATLAS_CHROMA_DATA="$(mktemp -d)"
  "$atlas_chroma_dir/node_modules/.bin/chroma" run --host 127.0.0.1 --port "$port" --path "$ATLAS_CHROMA_DATA" \
    > "$ATLAS_CHROMA_DATA.log" 2>&1 &
  ATLAS_CHROMA_PID=$!
  local url="http://127.0.0.1:$port"
  for _ in $(seq 1 120); do
    if curl -fsS "$url/api/v2/heartbeat" > /dev/null 2>&1; then
      export ATLAS_CHROMA_URL="$url"
      echo "chroma: ChromaDB answering at $ATLAS_CHROMA_URL (pid $ATLAS_CHROMA_PID)"
      return 0
    fi
    if ! kill -0 "$ATLAS_CHROMA_PID" 2>/dev/null; then break; fi
    sleep 0.5
  done
  echo "chroma: ChromaDB did not start; its log:" >&2
  cat "$ATLAS_CHROMA_DATA.log" >&2
  atlas_chroma_stop
  return 1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-install}" in
    install) atlas_chroma_install ;;
    *) echo "usage: bash .ci/chroma.sh install   (or: source .ci/chroma.sh to start a server)" >&2; exit 2 ;;
  esac
else
  atlas_chroma_start
  # Chain onto whatever EXIT trap is already set (other services started by .ci/run).
  atlas_chroma_previous_trap="$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")"
  trap "atlas_chroma_stop${atlas_chroma_previous_trap:+; $atlas_chroma_previous_trap}" EXIT
fi
