import { getPrisma } from "./db/client.server";
import { parseDatabaseUrl } from "./db/database-url";
import { migrationsDirectory, readMigrations } from "./db/migrate.server";
import { assertDatabaseReady, inspectDatabase } from "./db/readiness.server";

/** The app's Prisma client, for the provider DATABASE_URL names. */
const prisma = getPrisma();
export default prisma;

// Fixed for the life of the process: the configured database and the migrations shipped with this build.
const target = parseDatabaseUrl(process.env.DATABASE_URL);
const bundledMigrations = readMigrations(migrationsDirectory(target.provider));

/** For /healthz: the database's state right now. */
export function inspectAppDatabase() {
  return inspectDatabase(prisma, target, bundledMigrations);
}

/** At start-up: refuse to serve on a database that is not set up (after a few retries if unreachable). */
export function assertAppDatabaseReady() {
  return assertDatabaseReady(prisma, target, bundledMigrations);
}
