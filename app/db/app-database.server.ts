import { appConfig } from "../config/app-config.server";
import type { DatabaseTarget } from "../config/database-url";
import { createDatabase, type DirectQuery, type PrismaClient } from "./client.server";
import { migrationsDirectory, readMigrations, type Migration } from "./migrate.server";
import { assertDatabaseReady, inspectDatabase, type StartupCheckOptions } from "./readiness.server";

declare global {
  // Survives Vite's module reloads in development, so each reload does not open a new pool;
  // the production server (server.ts) closes it once the requests in flight are done.
  var __appPrisma: { client: PrismaClient; directQuery: DirectQuery; url: string } | undefined;
}

/**
 * The app's Prisma client, for the database the configuration names; created at first use
 * (nothing connects at import), and created anew when the configuration names another one.
 */
export function prisma(): PrismaClient {
  return appDatabase().client;
}

/**
 * One raw statement on the app's pool, outside any transaction: for the hot multi-row
 * statements (app/db/raw-sql.ts builds them). On PostgreSQL it skips Prisma altogether.
 */
export function directQuery<Row>(sql: string, values: unknown[]): Promise<Row[]> {
  return appDatabase().directQuery<Row>(sql, values);
}

function appDatabase() {
  const target = appConfig().database;
  if (!globalThis.__appPrisma || globalThis.__appPrisma.url !== target.url) {
    globalThis.__appPrisma = { ...createDatabase(target), url: target.url };
  }
  return globalThis.__appPrisma;
}

/** Closes the pool (the server's shutdown, a test's end); the next use opens a new one. */
export async function closeAppDatabase(): Promise<void> {
  const open = globalThis.__appPrisma;
  globalThis.__appPrisma = undefined;
  await open?.client.$disconnect();
}

const migrationsByProvider = new Map<string, Migration[]>();

/** The migrations shipped with this build, for the configured provider (read once). */
function bundledMigrations(target: DatabaseTarget): Migration[] {
  let migrations = migrationsByProvider.get(target.provider);
  if (!migrations) {
    migrations = readMigrations(migrationsDirectory(target.provider));
    migrationsByProvider.set(target.provider, migrations);
  }
  return migrations;
}

/** For /healthz: the database's state right now. */
export function inspectAppDatabase() {
  const target = appConfig().database;
  return inspectDatabase(prisma(), target, bundledMigrations(target));
}

/** At start-up: refuse to serve on a database that is not set up (after a few retries if unreachable). */
export function assertAppDatabaseReady(options?: StartupCheckOptions) {
  const target = appConfig().database;
  return assertDatabaseReady(prisma(), target, bundledMigrations(target), options);
}
