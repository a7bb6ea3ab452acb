import path from "node:path";
import { fileURLToPath } from "node:url";
import { createPrismaClient } from "../app/db/client.server";
import { InvalidEnvironmentError, loadEnvFile, parseDatabaseEnvironment } from "../app/config/environment";
import { migrationsDirectory, readMigrations } from "../app/db/migrate.server";

// What the operator scripts that work on the app's database share (export, import, backup):
// the database DATABASE_URL names (.env read first, validated as the app validates it),
// the migrations this build ships, and one way to fail.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** A mistake in the command line: the usage is printed with it, exit code 2. */
export class UsageError extends Error {}

/** The database DATABASE_URL names; its client connects at first use. */
export function scriptDatabase() {
  loadEnvFile();
  const { database: target } = parseDatabaseEnvironment(process.env);
  return { target, client: createPrismaClient(target), migrations: readMigrations(migrationsDirectory(target.provider, root)) };
}

/** Runs `main`; any failure is one line (or the environment's list) and a non-zero exit. */
export function runScript(name: string, usage: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${name}: ${error.message}\n${usage}`);
      process.exit(2);
    }
    // The environment's own message lists every problem and names .env.example.
    if (error instanceof InvalidEnvironmentError) console.error(error.message);
    else console.error(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}

/** 1.2 MB, for messages. */
export function describeSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** "BillingSchedule 1, BillingAttempt 30": the tables with rows. */
export function describeCounts(counts: Record<string, number>): string {
  const held = Object.entries(counts).filter(([, count]) => count > 0);
  return held.length ? held.map(([table, count]) => `${table} ${count}`).join(", ") : "no rows";
}
