import { getPrisma } from "./db/client.server";
import { parseDatabaseUrl } from "./db/database-url";
import { migrationsDirectory, readMigrations } from "./db/migrate.server";
import { assertDatabaseReady, inspectDatabase } from "./db/readiness.server";

/** The app's Prisma client, for the provider DATABASE_URL names. */
const prisma = getPrisma();
export default prisma;

function currentTarget() {
  return parseDatabaseUrl(process.env.DATABASE_URL);
}

function bundledMigrations() {
  return readMigrations(migrationsDirectory(currentTarget().provider));
}

/** For /healthz: the database's state right now. */
export function inspectAppDatabase() {
  return inspectDatabase(prisma, currentTarget(), bundledMigrations());
}

/** At start-up: refuse to serve on a database that is not set up (after a few retries if unreachable). */
export function assertAppDatabaseReady() {
  return assertDatabaseReady(prisma, currentTarget(), bundledMigrations());
}
