import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient, loadGeneratedClient } from "../../app/db/client.server";
import { parseDatabaseUrl, type DatabaseProvider } from "../../app/config/database-url";
import { ClientNotGeneratedError, DatabaseUnreachableError, MissingTablesError } from "../../app/db/errors";
import { migrationsDirectory, readMigrations, type Migration } from "../../app/db/migrate.server";
import { assertDatabaseReady, inspectDatabase } from "../../app/db/readiness.server";
import { openSqlConnection } from "../../app/db/sql-connection.server";
import { callLoader, TEST_API_KEY, TEST_API_SECRET, TEST_APP_URL, runAppInProcess } from "../support/app-under-test";
import { createEmptyDatabase, createMigratedDatabase, type TestDatabase } from "../../tools/scratch-databases";
import { testProviders } from "../support/providers";
import { runSetup } from "../support/run-setup";

/** A URL of the provider where nothing listens (for SQLite, a path that cannot be a file). */
const UNREACHABLE_URL: Record<DatabaseProvider, string> = {
  sqlite: "file:/dev/null/app.sqlite",
  postgresql: "postgresql://root@127.0.0.1:1/app",
  mysql: "mysql://root@127.0.0.1:1/app",
};

describe.each(testProviders())("%s: errors an operator understands", (provider) => {
  const migrations = readMigrations(migrationsDirectory(provider));
  let empty: TestDatabase;
  let migrated: TestDatabase;

  beforeAll(async () => {
    [empty, migrated] = [await createEmptyDatabase(provider), await createMigratedDatabase(provider)];
  });
  afterAll(async () => {
    await empty?.drop();
    await migrated?.drop();
  });

  async function inspect(url: string, withMigrations: Migration[] = migrations) {
    const target = parseDatabaseUrl(url);
    const prisma = createPrismaClient(target);
    try {
      return await inspectDatabase(prisma, target, withMigrations);
    } finally {
      await prisma.$disconnect();
    }
  }

  it("an unreachable database names where it looked and why, not missing tables", async () => {
    const state = await inspect(UNREACHABLE_URL[provider]);
    expect(state.status).toBe("unreachable");
    const message = state.status === "ready" ? "" : state.error.message;
    expect(message).toMatch(/^Cannot reach the database/);
    expect(message).toContain(provider === "sqlite" ? "/dev/null/app.sqlite" : "127.0.0.1:1");
    expect(message).not.toMatch(/npm run setup/);
  });

  it("start-up retries an unreachable database, then gives up with the reason", async () => {
    const target = parseDatabaseUrl(UNREACHABLE_URL[provider]);
    const prisma = createPrismaClient(target);
    const retries: string[] = [];
    try {
      await expect(
        assertDatabaseReady(prisma, target, migrations, { retryDelaysMs: [10, 10], log: (m) => retries.push(m) }),
      ).rejects.toBeInstanceOf(DatabaseUnreachableError);
    } finally {
      await prisma.$disconnect();
    }
    expect(retries).toHaveLength(2);
  });

  // Servers only: a SQLite file is created when missing.
  if (provider !== "sqlite") it("start-up does not wait for a database that does not exist: it cannot appear by itself", async () => {
    const url = new URL(empty.url);
    url.pathname = "/no_such_database_for_the_app";
    const target = parseDatabaseUrl(url.toString());
    const prisma = createPrismaClient(target);
    const retries: string[] = [];
    try {
      const failure = assertDatabaseReady(prisma, target, migrations, { retryDelaysMs: [10, 10], log: (m) => retries.push(m) });
      await expect(failure).rejects.toBeInstanceOf(DatabaseUnreachableError);
      await expect(failure).rejects.toMatchObject({ permanent: true });
    } finally {
      await prisma.$disconnect();
    }
    expect(retries).toEqual([]);
  });

  it("a database without tables says to run npm run setup", async () => {
    const state = await inspect(empty.url);
    expect(state.status).toBe("tables_missing");
    expect(state.status !== "ready" && state.error).toBeInstanceOf(MissingTablesError);
    expect(state.status !== "ready" && state.error.message).toMatch(/run `npm run setup`/);
  });

  it("a migration the database has not got yet is reported as pending", async () => {
    const newer = [...migrations, { name: "29990101000000_future", sql: "SELECT 1;", checksum: "x" }];
    const state = await inspect(migrated.url, newer);
    expect(state.status).toBe("migrations_pending");
    expect(state.status !== "ready" && state.error.message).toMatch(/29990101000000_future.*npm run setup/);
  });

  it("a migration that failed half-way is reported with its log", async () => {
    const broken = await createMigratedDatabase(provider);
    // When it started does not matter, only that it never finished: a fixed instant.
    const BROKEN_STARTED_AT = new Date("2026-01-14T10:00:00Z");
    try {
      const connection = await openSqlConnection(broken.target);
      await connection.query(
        "INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 0)",
        ["00000000-0000-0000-0000-000000000001", "c", "29990101000000_broken", "syntax error at line 3", provider === "sqlite" ? BROKEN_STARTED_AT.toISOString() : BROKEN_STARTED_AT],
      );
      await connection.close();
      const state = await inspect(broken.url, [...migrations, { name: "29990101000000_broken", sql: "", checksum: "c" }]);
      expect(state.status).toBe("migration_failed");
      expect(state.status !== "ready" && state.error.message).toMatch(/29990101000000_broken failed.*syntax error at line 3/);
    } finally {
      await broken.drop();
    }
  });

  it("/healthz answers 503 with the reason and no credentials", async () => {
    await runAppInProcess({ NODE_ENV: "test", SHOPIFY_API_KEY: TEST_API_KEY, SHOPIFY_API_SECRET: TEST_API_SECRET, SHOPIFY_APP_URL: TEST_APP_URL, DATABASE_URL: empty.url });
    const response = (await callLoader("../../app/routes/healthz", new Request("https://app.test/healthz"))) as Response;
    expect(response.status).toBe(503);
    const body = await response.json();
    expect(body).toMatchObject({ db: "ok", migrations: "missing" });
    expect(body.error).toMatch(/npm run setup/);
    if (provider !== "sqlite") expect(JSON.stringify(body)).not.toContain(new URL(empty.url).password || "@");
  });

  it("npm run setup on an unreachable database fails with the driver's reason (servers: after retries)", async () => {
    const run = await runSetup({ DATABASE_URL: UNREACHABLE_URL[provider] }, ["--migrate-only"]);
    expect(run.status).toBe(1);
    expect(run.output).toMatch(/setup failed: Cannot reach the database/);
    // A server may still be starting, so setup waits for it; a bad SQLite path will not heal.
    expect(/retrying in 1s/.test(run.output)).toBe(provider !== "sqlite");
  }, 60_000);
});

describe("configuration errors", () => {
  it("npm run setup refuses an unsupported DATABASE_URL scheme", async () => {
    const run = await runSetup({ DATABASE_URL: "mongodb://localhost/app" }, ["--migrate-only"]);
    expect(run.status).toBe(1);
    expect(run.output).toMatch(/setup failed: DATABASE_URL has an unsupported scheme \("mongodb:"\)/);
  });

  it("a client generated for another provider than DATABASE_URL names is reported, with the fix", () => {
    const clients = mkdtempSync(path.join(os.tmpdir(), "clients-"));
    mkdirSync(path.join(clients, "sqlite"));
    writeFileSync(path.join(clients, "sqlite", "index.js"), "module.exports = {};");
    expect(() => loadGeneratedClient("postgresql", clients)).toThrow(ClientNotGeneratedError);
    expect(() => loadGeneratedClient("postgresql", clients)).toThrow(
      "DATABASE_URL names postgresql, but the Prisma client was generated for sqlite: run `npm run setup` with this DATABASE_URL.",
    );
  });
});
