#!/usr/bin/env bash
# Installs the real MCP servers the tests start over stdio (pinned in .ci/mcp/package.json and
# package-lock.json) into .ci/mcp/node_modules, which git ignores. Called from .ci/run; run it
# by hand once to get the MCP tests locally (without it they fail under CI=true, skip otherwise).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/mcp"
npm ci --no-audit --no-fund --loglevel=error
test -x node_modules/.bin/mcp-server-filesystem
