import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createPrismaClient, type PrismaClient } from "../app/db/client.server";
import { parseDatabaseUrl, type DatabaseProvider, type DatabaseTarget } from "../app/config/database-url";
import { applyMigrations, migrationsDirectory, readMigrations } from "../app/db/migrate.server";
import { openSqlConnection } from "../app/db/sql-connection.server";

/** Server URLs the test suite may use; each test file creates and drops its own database there. */
export const TEST_SERVER_URL_VARIABLES = {
  postgresql: "TEST_POSTGRESQL_URL",
  mysql: "TEST_MYSQL_URL",
} as const;

export interface TestDatabase {
  provider: DatabaseProvider;
  url: string;
  target: DatabaseTarget;
  /** Drops the database (or deletes the file). */
  drop(): Promise<void>;
}

const SQLITE_DIRECTORY = path.join(os.tmpdir(), "billing-app-tests");

function uniqueName(): string {
  return `t_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
}

/**
 * A new, empty database of its own: tests never share one, nor touch the development
 * database. The benchmark passes its own server URL and name.
 */
export async function createEmptyDatabase(
  provider: DatabaseProvider,
  options: { name?: string; serverUrl?: string; sqliteDirectory?: string } = {},
): Promise<TestDatabase> {
  const { name = uniqueName(), sqliteDirectory = SQLITE_DIRECTORY } = options;
  if (provider === "sqlite") {
    mkdirSync(sqliteDirectory, { recursive: true });
    const file = path.join(sqliteDirectory, `${name}.sqlite`);
    const url = `file:${file}`;
    return {
      provider,
      url,
      target: parseDatabaseUrl(url),
      async drop() {
        for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
      },
    };
  }
  const serverUrl = options.serverUrl ?? process.env[TEST_SERVER_URL_VARIABLES[provider]];
  if (!serverUrl) throw new Error(`${TEST_SERVER_URL_VARIABLES[provider]} is not set`);
  const admin = await openSqlConnection(parseDatabaseUrl(serverUrl));
  const quoted = provider === "postgresql" ? `"${name}"` : `\`${name}\``;
  await admin.exec(`CREATE DATABASE ${quoted}`);
  await admin.close();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    provider,
    url: url.toString(),
    target: parseDatabaseUrl(url.toString()),
    async drop() {
      const connection = await openSqlConnection(parseDatabaseUrl(serverUrl));
      await connection.exec(
        provider === "postgresql" ? `DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)` : `DROP DATABASE IF EXISTS ${quoted}`,
      );
      await connection.close();
    },
  };
}

/** A database of its own with every committed migration applied. */
export async function createMigratedDatabase(provider: DatabaseProvider): Promise<TestDatabase> {
  const database = await createEmptyDatabase(provider);
  await applyMigrations(database.target, readMigrations(migrationsDirectory(provider)));
  return database;
}

export function connectPrisma(database: TestDatabase): PrismaClient {
  return createPrismaClient(database.target);
}
