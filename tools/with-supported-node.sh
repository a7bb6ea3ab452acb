#!/usr/bin/env bash
# Runs a command on the Node.js LTS this project supports (.node-version; decision 0016).
# The machine's own node is used when its major version matches; otherwise the official
# build pinned in tools/node/package-lock.json is installed from the npm registry (once)
# and put first on PATH, with its headers for native addons (better-sqlite3).
#
#   tools/with-supported-node.sh npm ci
#   tools/with-supported-node.sh npm test
set -euo pipefail
tools="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
wanted=$(tr -d '[:space:]' <"$tools/../.node-version")
wanted_major=${wanted%%.*}
machine_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo none)

if [ "$machine_major" != "$wanted_major" ]; then
  pinned="$tools/node/node_modules/.bin/node"
  if [ ! -x "$pinned" ] || [ "$("$pinned" --version 2>/dev/null)" != "v$wanted" ]; then
    if ! command -v npm >/dev/null; then
      echo "error: Node.js $wanted_major is needed and npm is missing to fetch it: install Node.js $wanted_major (https://nodejs.org)." >&2
      exit 1
    fi
    echo "--- Node.js $wanted from the npm registry into tools/node (this machine has node ${machine_major})" >&2
    (cd "$tools/node" && npm ci --no-audit --no-fund --loglevel=error)
    if [ ! -x "$pinned" ]; then
      echo "error: the npm registry has no Node.js $wanted build for $(uname -sm); install Node.js $wanted_major yourself." >&2
      exit 1
    fi
  fi
  PATH="$(dirname "$pinned"):$PATH"
  # node-gyp builds native addons against these headers instead of downloading them.
  npm_config_nodedir="$(cd "$(dirname "$(readlink -f "$pinned")")/.." && pwd)"
  export PATH npm_config_nodedir
fi
exec "$@"
