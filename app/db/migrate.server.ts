import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import type { DatabaseProvider, DatabaseTarget } from "../config/database-url";
import { FailedMigrationError } from "./errors";
import { openSqlConnection, type SqlConnection } from "./sql-connection.server";

/**
 * Applies the committed migrations of the configured provider and records them in
 * `_prisma_migrations` exactly as Prisma Migrate does (same table, sha256 checksum of
 * migration.sql), so `prisma migrate status|deploy` stay usable wherever Prisma's
 * engine works. We run them ourselves because Prisma 6.19's JavaScript schema engine
 * cannot apply migrations to MySQL and fails on PostgreSQL (docs/decisions/0003).
 */

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface AppliedMigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
  logs: string | null;
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
  /** Started but never finished (and not rolled back): needs an operator. */
  failed: string[];
  /** Recorded in the database but absent from the migrations folder (a newer app's?). */
  unknown: string[];
  /** Applied, but migration.sql has changed since. */
  modified: string[];
  tableExists: boolean;
}

export function migrationsDirectory(provider: DatabaseProvider, root = process.cwd()): string {
  return path.join(root, "prisma", provider, "migrations");
}

export function readMigrations(directory: string): Migration[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(directory, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(directory, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

// Prisma's own DDL for its bookkeeping table, per provider (sql-schema-connector flavours).
const MIGRATIONS_TABLE_DDL: Record<DatabaseProvider, string> = {
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`,
  postgresql: `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`,
  mysql: `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             DATETIME(3),
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          DATETIME(3),
    started_at              DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    applied_steps_count     INTEGER UNSIGNED NOT NULL DEFAULT 0
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
};

/** Timestamps as each provider's Prisma engine writes them (SQLite: RFC 3339 text). */
function timestampValue(provider: DatabaseProvider, at: Date): unknown {
  return provider === "sqlite" ? at.toISOString().replace("Z", "+00:00") : at;
}

async function migrationsTableExists(connection: SqlConnection): Promise<boolean> {
  const sql = {
    sqlite: "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'",
    postgresql: "SELECT to_regclass('_prisma_migrations')::text AS name",
    mysql:
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '_prisma_migrations'",
  }[connection.provider];
  const rows = await connection.query<{ name: string | null }>(sql);
  return rows.length > 0 && rows[0].name !== null;
}

async function readAppliedRows(connection: SqlConnection): Promise<AppliedMigrationRow[]> {
  return connection.query<AppliedMigrationRow>(
    "SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM _prisma_migrations ORDER BY started_at",
  );
}

export function compareMigrations(migrations: Migration[], rows: AppliedMigrationRow[]): Omit<MigrationStatus, "tableExists"> {
  const live = rows.filter((row) => row.rolled_back_at === null);
  const finished = new Map(live.filter((row) => row.finished_at !== null).map((row) => [row.migration_name, row]));
  const failed = live.filter((row) => row.finished_at === null).map((row) => row.migration_name);
  const known = new Set(migrations.map((migration) => migration.name));
  return {
    applied: migrations.filter((m) => finished.has(m.name)).map((m) => m.name),
    pending: migrations.filter((m) => !finished.has(m.name) && !failed.includes(m.name)).map((m) => m.name),
    failed,
    unknown: [...finished.keys()].filter((name) => !known.has(name)),
    modified: migrations.filter((m) => finished.has(m.name) && finished.get(m.name)!.checksum !== m.checksum).map((m) => m.name),
  };
}

export async function readMigrationStatus(
  connection: SqlConnection,
  migrations: Migration[],
): Promise<MigrationStatus> {
  if (!(await migrationsTableExists(connection))) {
    return { ...compareMigrations(migrations, []), tableExists: false };
  }
  return { ...compareMigrations(migrations, await readAppliedRows(connection)), tableExists: true };
}

/**
 * Holds a database-wide lock for `work`, so two `npm run setup` (two containers
 * starting at once) apply each migration once: the second waits, then finds nothing to do.
 */
async function withMigrationLock<T>(connection: SqlConnection, work: () => Promise<T>): Promise<T> {
  switch (connection.provider) {
    case "postgresql": {
      await connection.query("SELECT pg_advisory_lock(72707369)");
      try {
        return await work();
      } finally {
        await connection.query("SELECT pg_advisory_unlock(72707369)");
      }
    }
    case "mysql": {
      const [row] = await connection.query<{ got: number }>("SELECT GET_LOCK('app_prisma_migrate', 120) AS got");
      if (Number(row?.got) !== 1) throw new Error("Timed out waiting for another process's migration lock.");
      try {
        return await work();
      } finally {
        await connection.query("SELECT RELEASE_LOCK('app_prisma_migrate')");
      }
    }
    case "sqlite": {
      // BEGIN IMMEDIATE takes the write lock now; the busy timeout makes the other process wait.
      await connection.exec("BEGIN IMMEDIATE");
      try {
        const result = await work();
        await connection.exec("COMMIT");
        return result;
      } catch (error) {
        await connection.exec("ROLLBACK");
        throw error;
      }
    }
  }
}

async function applyOne(connection: SqlConnection, migration: Migration): Promise<void> {
  const { provider } = connection;
  const id = randomUUID();
  await connection.query(
    "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, 0)",
    [id, migration.checksum, migration.name, timestampValue(provider, new Date())],
  );
  // PostgreSQL's DDL is transactional: a failing script leaves nothing half-applied.
  // SQLite already runs inside the lock's transaction; MySQL commits DDL implicitly.
  const transactional = provider === "postgresql";
  try {
    if (transactional) await connection.exec("BEGIN");
    await connection.exec(migration.sql);
    await connection.query(
      "UPDATE _prisma_migrations SET finished_at = ?, applied_steps_count = 1 WHERE id = ?",
      [timestampValue(provider, new Date()), id],
    );
    if (transactional) await connection.exec("COMMIT");
  } catch (error) {
    if (transactional) await connection.exec("ROLLBACK");
    const reason = error instanceof Error ? error.message : String(error);
    if (provider === "sqlite") {
      // The lock's transaction is rolled back by the caller, row included: nothing is recorded.
      throw new FailedMigrationError(migration.name, reason);
    }
    if (transactional) {
      // The script left nothing behind; record the attempt as rolled back, with its logs.
      await connection.query(
        "UPDATE _prisma_migrations SET logs = ?, rolled_back_at = ? WHERE id = ?",
        [reason, timestampValue(provider, new Date()), id],
      );
    } else {
      await connection.query("UPDATE _prisma_migrations SET logs = ? WHERE id = ?", [reason, id]);
    }
    throw new FailedMigrationError(migration.name, reason);
  }
}

export interface ApplyResult {
  applied: string[];
  alreadyApplied: number;
  modified: string[];
}

export async function applyMigrations(target: DatabaseTarget, migrations: Migration[]): Promise<ApplyResult> {
  const connection = await openSqlConnection(target);
  try {
    const result = await withMigrationLock(connection, async () => {
      await connection.exec(MIGRATIONS_TABLE_DDL[connection.provider]);
      const status = await readMigrationStatus(connection, migrations);
      if (status.failed.length) {
        const row = (await readAppliedRows(connection)).find((r) => r.migration_name === status.failed[0]);
        throw new FailedMigrationError(status.failed[0], row?.logs ?? "no log recorded");
      }
      const applied: string[] = [];
      for (const migration of migrations.filter((m) => status.pending.includes(m.name))) {
        await applyOne(connection, migration);
        applied.push(migration.name);
      }
      return { applied, alreadyApplied: status.applied.length, modified: status.modified };
    });
    // WAL lets the app's readers (admin pages) run while a billing run writes. It is stored in
    // the file, and cannot be switched inside the lock's transaction.
    if (connection.provider === "sqlite") await connection.query("PRAGMA journal_mode = WAL");
    return result;
  } finally {
    await connection.close();
  }
}
