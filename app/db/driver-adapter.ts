import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaMariaDb } from "@prisma/adapter-mariadb";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { DatabaseTarget } from "../config/database-url";

/** Seconds a new connection may take before the driver gives up. */
const CONNECT_TIMEOUT_SECONDS = 5;
/** Seconds a statement may wait for a pooled connection (PostgreSQL) under load. */
const POOL_WAIT_SECONDS = 15;

/** `?connection_limit=N` on the URL, as Prisma's own engines read it; 10 by default. */
function poolSize(url: string): number {
  return Number(new URL(url).searchParams.get("connection_limit") ?? 10);
}

/** The driver adapter the Prisma client runs on for the configured provider. */
export function createDriverAdapterFactory(target: DatabaseTarget) {
  return createDriver(target).factory;
}

/**
 * The adapter, and on PostgreSQL the pool under it: the app's few hot multi-row statements
 * (result webhooks, a request's attempts) go to the pool directly, since Prisma's raw-query
 * path costs several times the driver's CPU per statement. One pool, so one connection limit.
 */
export function createDriver(target: DatabaseTarget): { factory: ReturnType<typeof factoryFor>; pgPool?: pg.Pool } {
  if (target.provider !== "postgresql") return { factory: factoryFor(target) };
  const pgPool = new pg.Pool({
    connectionString: target.url,
    max: poolSize(target.url),
    // pg-pool applies this to waiting for a pooled connection too, and a billing run
    // queues many short statements: wait longer than a bare connect would need.
    connectionTimeoutMillis: POOL_WAIT_SECONDS * 1000,
  });
  return { factory: new PrismaPg(pgPool, { disposeExternalPool: true }), pgPool };
}

function factoryFor(target: DatabaseTarget) {
  switch (target.provider) {
    case "sqlite":
      // A busy timeout lets concurrent writers (several app processes) wait instead of failing.
      return new PrismaBetterSQLite3({ url: target.url, timeout: 10_000 });
    case "postgresql":
      return new PrismaPg({ connectionString: target.url, max: poolSize(target.url), connectionTimeoutMillis: POOL_WAIT_SECONDS * 1000 });
    case "mysql":
      return new PrismaMariaDb(mariaDbConfig(target.url));
  }
}

function mariaDbConfig(url: string) {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.slice(1)),
    connectTimeout: CONNECT_TIMEOUT_SECONDS * 1000,
    // Give up on the pool soon after the connect timeout, so "unreachable" is reported quickly.
    acquireTimeout: (CONNECT_TIMEOUT_SECONDS + 1) * 1000,
    connectionLimit: poolSize(url),
  };
}

/** For prisma.config.ts: the Prisma CLI's JavaScript schema engine needs a migration-aware adapter. */
export function createMigrationAdapterFactory(
  target: DatabaseTarget,
): SqlMigrationAwareDriverAdapterFactory {
  if (target.provider === "mysql") {
    throw new Error(
      "Prisma's JavaScript schema engine has no MySQL support in 6.19: apply migrations with `npm run setup`.",
    );
  }
  return createDriverAdapterFactory(target) as SqlMigrationAwareDriverAdapterFactory;
}
