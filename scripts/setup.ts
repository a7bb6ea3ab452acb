/**
 * `npm run setup`: generate the Prisma client for the provider DATABASE_URL names, then
 * apply the pending migrations (DIRECT_DATABASE_URL, when set, is used for them, so the
 * app's own URL may go through a pooler). Safe to run twice, and from two processes at once.
 *
 *   --all-providers   also generate the clients of the other providers (the test suite)
 *   --skip-migrate    generate only
 *   --migrate-only    apply migrations only (the client was generated at build time)
 *
 * What it did is logged as the app logs (LOG_LEVEL, LOG_FORMAT: JSON lines in the container);
 * why it failed is a message on stderr.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generatedClientsDirectory } from "../app/db/client.server";
import { DATABASE_PROVIDERS, describeDatabaseTarget, type DatabaseProvider, type DatabaseTarget } from "../app/config/database-url";
import { connectionFailureReason, DatabaseUnreachableError, isPermanentConnectionFailure } from "../app/db/errors";
import { applyMigrations, migrationsDirectory, readMigrations } from "../app/db/migrate.server";
import { InvalidEnvironmentError, loadEnvFile, parseDatabaseEnvironment, parseLoggingEnvironment } from "../app/config/environment";
import { logger } from "../app/observability/logger.server";
import { runPrismaCliOrThrow } from "./prisma-cli";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function generateClient(provider: DatabaseProvider, url: string): void {
  const schema = path.join(root, "prisma", provider, "schema.prisma");
  const generatedSchema = path.join(generatedClientsDirectory(), provider, "schema.prisma");
  // Prisma copies the schema next to the client: an identical copy means it is up to date.
  if (existsSync(generatedSchema) && readFileSync(generatedSchema, "utf8") === readFileSync(schema, "utf8")) {
    logger().info({ event: "prisma_client", provider, generated: false }, `Prisma client for ${provider}: up to date`);
    return;
  }
  // prisma.config.ts picks the provider from DATABASE_URL; point it at this one.
  runPrismaCliOrThrow(["generate", "--schema", schema], url);
  logger().info({ event: "prisma_client", provider, generated: true }, `Prisma client for ${provider}: generated`);
}

/**
 * Points `@prisma/client` (node_modules/.prisma/client) at the configured provider's client.
 * Libraries that import `Prisma` from "@prisma/client" (PrismaSessionStorage checks
 * `instanceof Prisma.PrismaClientKnownRequestError`) then see the classes of the client
 * the app really uses. Atomic (rename), so two setups at once cannot break it.
 */
function linkDefaultClient(provider: DatabaseProvider): void {
  const link = path.join(generatedClientsDirectory(), "..", ".prisma", "client");
  const wanted = path.join("..", ".prisma-providers", provider);
  const current = lstatIfExists(link);
  if (current?.isSymbolicLink() && readlinkSync(link) === wanted) return;
  if (current && !current.isSymbolicLink()) rmSync(link, { recursive: true, force: true });
  mkdirSync(path.dirname(link), { recursive: true });
  const temporary = `${link}.${process.pid}`;
  symlinkSync(wanted, temporary, "dir");
  renameSync(temporary, link);
}

/** The entry itself (a dangling symlink included), or undefined when there is none. */
function lstatIfExists(file: string) {
  try {
    return lstatSync(file);
  } catch {
    return undefined;
  }
}

/** Placeholder URLs: generating a client reads only the provider, never connects. */
const GENERATE_ONLY_URL: Record<DatabaseProvider, string> = {
  sqlite: "file:./prisma/dev.sqlite",
  postgresql: "postgresql://localhost:5432/unused",
  mysql: "mysql://localhost:3306/unused",
};

const RETRY_DELAYS_MS = [1_000, 2_000, 4_000];

async function migrate(target: DatabaseTarget): Promise<void> {
  if (target.sqliteFile) {
    try {
      mkdirSync(path.dirname(target.sqliteFile), { recursive: true });
    } catch (error) {
      throw new DatabaseUnreachableError(target, `cannot create its folder (${(error as Error).message})`);
    }
  }
  const migrations = readMigrations(migrationsDirectory(target.provider, root));
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await applyMigrations(target, migrations);
      for (const name of result.modified) {
        logger().warn({ event: "migration_modified", migration: name }, `migration ${name} was edited after it was applied (checksum differs)`);
      }
      logger().info(
        { event: "migrations", applied: result.applied, alreadyApplied: result.alreadyApplied },
        result.applied.length
          ? `Applied ${result.applied.length} migration(s) to ${describeDatabaseTarget(target)}: ${result.applied.join(", ")}`
          : `${describeDatabaseTarget(target)}: all ${result.alreadyApplied} migration(s) already applied`,
      );
      return;
    } catch (error) {
      // A server may still be starting; a SQLite path that cannot be opened, wrong
      // credentials or a missing database will not heal.
      const reason = error instanceof DatabaseUnreachableError ? error.message : connectionFailureReason(error);
      const retryable = target.provider !== "sqlite" && reason !== undefined && !isPermanentConnectionFailure(reason);
      if (!retryable || attempt >= RETRY_DELAYS_MS.length) throw error;
      logger().warn({ event: "database_not_ready" }, `${(error as Error).message}; retrying in ${RETRY_DELAYS_MS[attempt] / 1000}s`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
    }
  }
}

async function main(): Promise<void> {
  loadEnvFile();
  // A malformed LOG_LEVEL or LOG_FORMAT is refused here as the app refuses it.
  parseLoggingEnvironment(process.env);
  const args = new Set(process.argv.slice(2));
  const { database: target, migrationDatabase } = parseDatabaseEnvironment(process.env);
  if (args.has("--migrate-only")) return migrate(migrationDatabase);
  generateClient(target.provider, target.url);
  linkDefaultClient(target.provider);
  if (args.has("--all-providers")) {
    for (const provider of DATABASE_PROVIDERS.filter((p) => p !== target.provider)) {
      generateClient(provider, GENERATE_ONLY_URL[provider]);
    }
  }
  if (!args.has("--skip-migrate")) await migrate(migrationDatabase);
}

main().catch((error: unknown) => {
  // Messages for the operator, not log lines. The environment's own lists every problem and names .env.example.
  if (error instanceof InvalidEnvironmentError) console.error(error.message);
  else console.error(`setup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
