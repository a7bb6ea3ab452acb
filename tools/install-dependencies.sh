#!/usr/bin/env bash
# `npm ci` on the supported Node (run through tools/with-supported-node.sh), skipped when
# node_modules was installed from this very lockfile on this very Node (CI always installs).
# Fails, before installing, when package-lock.json has drifted from package.json or lacks
# entries another platform needs (what `npm install` would silently rewrite).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

stamp=node_modules/.installed-from
wanted="$(node --version) $(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -z "${CI:-}" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  echo "--- dependencies: up to date (node_modules matches package-lock.json on node $(node --version))"
  exit 0
fi

echo "--- lockfile: in step with package.json, for every platform"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp package.json package-lock.json "$scratch/"
(cd "$scratch" && npm install --package-lock-only --ignore-scripts --no-audit --no-fund \
  --omit-lockfile-registry-resolved --loglevel=error >/dev/null)
if ! cmp -s package-lock.json "$scratch/package-lock.json"; then
  echo "error: package-lock.json is out of step with package.json (npm install would rewrite it):" >&2
  diff -u package-lock.json "$scratch/package-lock.json" | head -40 >&2 || true
  echo "Run 'tools/with-supported-node.sh npm install' and commit package-lock.json." >&2
  exit 1
fi

echo "--- dependencies: npm ci on node $(node --version)"
npm ci --no-audit --no-fund
echo "$wanted" >"$stamp"
