#!/usr/bin/env bash
# The README's first command: on a fresh machine, installs what the demo needs (the
# supported Node, npm ci) and runs `npm run demo` (arguments are passed on: --days 3).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SUPPORTED_NODE:-}" ]; then SUPPORTED_NODE=1 exec tools/with-supported-node.sh bash demo/run-demo.sh "$@"; fi
tools/install-dependencies.sh
npm run demo -- "$@"
