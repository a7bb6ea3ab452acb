import type { PrismaClient } from "./client.server";
import type { DatabaseTarget } from "../config/database-url";
import {
  connectionFailureReason,
  DatabaseUnreachableError,
  FailedMigrationError,
  isMissingTableError,
  MissingTablesError,
  PendingMigrationsError,
} from "./errors";
import { compareMigrations, type AppliedMigrationRow, type Migration } from "./migrate.server";
import { openSqlConnection } from "./sql-connection.server";
import { logger } from "../observability/logger.server";

export type DatabaseState =
  | { status: "ready" }
  | { status: "unreachable" | "tables_missing" | "migrations_pending" | "migration_failed"; error: Error };

/**
 * Is the database usable by this build of the app? Tells "cannot connect" apart from
 * "connected, but never set up", so an operator is sent to the right fix.
 */
export async function inspectDatabase(
  prisma: PrismaClient,
  target: DatabaseTarget,
  migrations: Migration[],
): Promise<DatabaseState> {
  let rows: AppliedMigrationRow[];
  try {
    rows = await prisma.$queryRawUnsafe<AppliedMigrationRow[]>(
      "SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM _prisma_migrations",
    );
  } catch (error) {
    const reason = connectionFailureReason(error);
    if (reason) {
      return { status: "unreachable", error: (await probeConnection(target)) ?? new DatabaseUnreachableError(target, reason) };
    }
    if (isMissingTableError(error)) {
      return { status: "tables_missing", error: new MissingTablesError("no _prisma_migrations table") };
    }
    throw error;
  }
  const status = compareMigrations(migrations, rows);
  if (status.failed.length) {
    const failed = rows.find((row) => row.migration_name === status.failed[0]);
    return { status: "migration_failed", error: new FailedMigrationError(status.failed[0], failed?.logs ?? "no log") };
  }
  if (status.applied.length === 0) {
    return { status: "tables_missing", error: new MissingTablesError("no migration has been applied") };
  }
  if (status.pending.length) {
    return { status: "migrations_pending", error: new PendingMigrationsError(status.pending) };
  }
  return { status: "ready" };
}

/**
 * Connection pools can hide the driver's reason (mariadb reports only "pool timeout" for an
 * unknown database or a wrong password); one plain connection tells it.
 */
async function probeConnection(target: DatabaseTarget): Promise<DatabaseUnreachableError | undefined> {
  try {
    await (await openSqlConnection(target)).close();
    return undefined;
  } catch (error) {
    return error instanceof DatabaseUnreachableError ? error : undefined;
  }
}

export interface StartupCheckOptions {
  /** Delays between connection attempts; the database may still be starting (compose, k8s). */
  retryDelaysMs?: number[];
  log?: (message: string) => void;
}

/**
 * Waits a little for an unreachable database (it may still be starting), then throws the
 * first problem found; wrong credentials or a missing database are thrown at once.
 */
export async function assertDatabaseReady(
  prisma: PrismaClient,
  target: DatabaseTarget,
  migrations: Migration[],
  { retryDelaysMs = [1_000, 2_000, 4_000], log = (message) => logger().warn({ event: "database_not_ready" }, message) }: StartupCheckOptions = {},
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const state = await inspectDatabase(prisma, target, migrations);
    if (state.status === "ready") return;
    const mayHeal = state.status === "unreachable" && !(state.error instanceof DatabaseUnreachableError && state.error.permanent);
    if (!mayHeal || attempt >= retryDelaysMs.length) throw state.error;
    log(`${state.error.message}; retrying in ${retryDelaysMs[attempt] / 1000}s`);
    await new Promise((resolve) => setTimeout(resolve, retryDelaysMs[attempt]));
  }
}
