import type { DatabaseTarget } from "../config/database-url";
import type { Prisma, PrismaClient } from "../db/client.server";
import { compareMigrations, type AppliedMigrationRow, type Migration } from "../db/migrate.server";
import { inspectDatabase } from "../db/readiness.server";
import type { ExportTable, Row } from "./shop-export-format";

// What the per-shop export and import share: the database's migration level, one
// transaction for the whole transfer, and each table's Prisma delegate by name.

/** The database cannot take part in the transfer as it is (not set up, newer, no such shop). */
export class ShopTransferError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShopTransferError";
  }
}

/**
 * A shop's transfer is one transaction, read or written a page at a time: long enough for a
 * shop with millions of rows. The export's is a snapshot (REPEATABLE READ; SQLite's read
 * transaction is one), so its header's counts match its rows while the app keeps running.
 */
export function transferTransaction(target: DatabaseTarget, snapshot: boolean) {
  const options = { maxWait: 30_000, timeout: 60 * 60_000 };
  // Prisma's SQLite client knows only Serializable, which its transactions are anyway.
  return snapshot && target.provider !== "sqlite" ? { ...options, isolationLevel: "RepeatableRead" as "Serializable" } : options;
}

/** The operations a transfer needs, the same on every table. */
export interface TableClient {
  findMany(args: { where: Row; orderBy: Row; take: number }): Promise<Row[]>;
  count(args: { where: Row }): Promise<number>;
  aggregate(args: { where: Row; _min: Row; _max: Row }): Promise<{ _min: Row; _max: Row }>;
  deleteMany(args: { where: Row }): Promise<{ count: number }>;
}

/** The table's delegate (prisma.billingAttempt, ...): the format names the tables, not the types. */
export function tableClient(db: Prisma.TransactionClient, table: ExportTable): TableClient {
  return (db as unknown as Record<string, TableClient>)[table.delegate];
}

/**
 * The newest migration of a database this build can read and write as its models say: every
 * migration it ships applied, none it does not know. Otherwise the operator is told the fix.
 */
export async function databaseMigrationLevel(db: PrismaClient, target: DatabaseTarget, migrations: Migration[]): Promise<string> {
  const state = await inspectDatabase(db, target, migrations);
  if (state.status === "migrations_pending") {
    throw new ShopTransferError(`the database's migrations are behind this version of the app: ${state.error.message}`);
  }
  if (state.status !== "ready") throw state.error;
  const rows = await db.$queryRawUnsafe<AppliedMigrationRow[]>(
    "SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM _prisma_migrations",
  );
  const { unknown } = compareMigrations(migrations, rows);
  if (unknown.length) {
    throw new ShopTransferError(
      `the database has migrations this version of the app does not know (${unknown.join(", ")}): ` +
        "a newer version set it up; run the transfer with that version",
    );
  }
  return migrations[migrations.length - 1].name;
}
