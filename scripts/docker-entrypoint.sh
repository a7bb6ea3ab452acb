#!/bin/sh
# The container's entrypoint: applies pending migrations, then replaces itself with the
# command (node build/start.js), so node is the process that receives SIGTERM.
# MIGRATE_ON_START=false skips the migrations where a release step runs them instead
# (`node --import tsx scripts/setup.ts --migrate-only`; docs/operations.md, "Deploying").
set -e
if [ "${MIGRATE_ON_START:-true}" != "false" ]; then
  node --import tsx scripts/setup.ts --migrate-only
fi
exec "$@"
