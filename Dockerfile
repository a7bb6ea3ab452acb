# syntax=docker/dockerfile:1
# Two stages: `build` installs from the lockfile (npm ci), compiles better-sqlite3, builds
# the app and generates the Prisma client of every provider; `runtime` keeps production
# dependencies only and runs as the unprivileged `node` user. The entrypoint applies
# pending migrations and then execs node, so node itself receives SIGTERM and drains the
# requests in flight (docs/operations.md, "Deploying").

FROM node:24-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && node --import tsx scripts/setup.ts --all-providers --skip-migrate

FROM node:24-bookworm-slim AS runtime
# Memory for a 256 MiB container: young generation kept small, old generation capped, two
# malloc arenas (one per thread by default): peak RSS under 200 MiB at 100 shops x 1,000
# contracts (docs/benchmarks.md). A bigger container can raise --max-old-space-size.
ENV NODE_ENV=production \
    PORT=3000 \
    NODE_OPTIONS="--max-semi-space-size=2 --max-old-space-size=128" \
    MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json /app/prisma.config.ts /app/tsconfig.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/build ./build
COPY --from=build --chown=node:node /app/public ./public
COPY --from=build --chown=node:node /app/prisma ./prisma
# The migration step runs from source (tsx): the database modules and the setup script.
COPY --from=build --chown=node:node /app/app ./app
COPY --from=build --chown=node:node /app/scripts ./scripts
# SQLite users mount a volume here and set DATABASE_URL=file:/data/app.sqlite.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
# Requests in flight get this long after SIGTERM (SHUTDOWN_GRACE_SECONDS, default 25):
# give the container at least as long (docker stop -t 30, Kubernetes' default is 30).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["scripts/docker-entrypoint.sh"]
CMD ["node", "build/start.js"]
