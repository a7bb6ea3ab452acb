import { createHash } from "node:crypto";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { Session } from "@shopify/shopify-api";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { connectPrisma, createEmptyDatabase, createMigratedDatabase, type TestDatabase } from "../../tools/scratch-databases";
import { runSetup } from "../support/run-setup";
import { testProviders } from "../support/providers";
import { applyMigrations, migrationsDirectory, readMigrations } from "../../app/db/migrate.server";
import { openSqlConnection } from "../../app/db/sql-connection.server";
import { findDrift } from "../../tools/check-drift";
import { runPrismaCli } from "../../scripts/prisma-cli";
import { readModels } from "../../tools/prisma-schemas";
import { pinProcessClock, PINNED_NOW, unpinProcessClock } from "../support/pinned-clock";

describe.each(testProviders())("%s: migrations", (provider) => {
  const migrations = readMigrations(migrationsDirectory(provider));
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createEmptyDatabase(provider);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("apply from empty, recorded in Prisma's own _prisma_migrations format", async () => {
    const result = await applyMigrations(database.target, migrations);
    expect(result.applied).toEqual(migrations.map((m) => m.name));

    const connection = await openSqlConnection(database.target);
    if (provider === "sqlite") {
      expect(await connection.query("PRAGMA journal_mode")).toEqual([{ journal_mode: "wal" }]);
    }
    const rows = await connection.query<Record<string, unknown>>(
      "SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name",
    );
    await connection.close();
    expect(rows).toHaveLength(migrations.length);
    rows.forEach((row, index) => {
      const migration = migrations[index];
      expect(row.migration_name).toBe(migration.name);
      expect(row.checksum).toBe(createHash("sha256").update(migration.sql).digest("hex"));
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(Number(row.applied_steps_count)).toBe(1);
    });
  });

  it("re-applying is a no-op", async () => {
    const result = await applyMigrations(database.target, migrations);
    expect(result).toEqual({ applied: [], alreadyApplied: migrations.length, modified: [] });
  });

  it("match the models (no drift)", async () => {
    const scratch = await createEmptyDatabase(provider);
    try {
      expect(await findDrift(provider, scratch.target)).toEqual([]);
    } finally {
      await scratch.drop();
    }
  });

  it("store and load a Shopify session with long scope and token strings", async () => {
    // Expiry dates an hour and a day after a fixed instant, with the process clock pinned
    // there: still in the future whatever today is (the storage itself only round-trips them).
    pinProcessClock(PINNED_NOW);
    onTestFinished(unpinProcessClock);
    const migrated = await createMigratedDatabase(provider);
    const prisma = connectPrisma(migrated);
    try {
      const storage = new PrismaSessionStorage(prisma);
      const longScope = Array.from({ length: 120 }, (_, i) => `write_scope_number_${i}`).join(",");
      const session = new Session({
        id: "offline_long.myshopify.com",
        shop: "long.myshopify.com",
        state: "state",
        isOnline: false,
        scope: longScope,
        accessToken: `shpat_${"a".repeat(2000)}`,
        expires: new Date(PINNED_NOW.getTime() + 3_600_000),
        refreshToken: `shprt_${"b".repeat(2000)}`,
        refreshTokenExpires: new Date(PINNED_NOW.getTime() + 86_400_000),
      });
      expect(await storage.storeSession(session)).toBe(true);
      const loaded = await storage.loadSession(session.id);
      expect(loaded?.scope).toBe(longScope);
      expect(loaded?.accessToken).toBe(session.accessToken);
      expect(loaded?.refreshToken).toBe(session.refreshToken);
      expect(loaded?.expires?.getTime()).toBe(session.expires?.getTime());
      expect(loaded?.refreshTokenExpires?.getTime()).toBe(session.refreshTokenExpires?.getTime());
      expect(await storage.findSessionsByShop("long.myshopify.com")).toHaveLength(1);
      expect(await storage.deleteSession(session.id)).toBe(true);
      expect(await storage.loadSession(session.id)).toBeUndefined();
    } finally {
      await prisma.$disconnect();
      await migrated.drop();
    }
  });

  it("`npm run setup` in two processes at once applies each migration exactly once", async () => {
    const fresh = await createEmptyDatabase(provider);
    try {
      const setup = () => runSetup({ DATABASE_URL: fresh.url }, ["--migrate-only"]);
      const runs = await Promise.all([setup(), setup()]);
      for (const run of runs) expect(run.status, run.output).toBe(0);
      const output = runs.map((run) => run.output).join("\n");
      const count = migrations.length;
      expect(output.match(new RegExp(`Applied ${count} migration`, "g")) ?? []).toHaveLength(1);
      expect(output).toMatch(new RegExp(`all ${count} migration\\(s\\) already applied`));
      const connection = await openSqlConnection(fresh.target);
      const rows = await connection.query("SELECT migration_name FROM _prisma_migrations");
      await connection.close();
      expect(rows).toHaveLength(migrations.length);
    } finally {
      await fresh.drop();
    }
  });
});

describe("compatibility with Prisma Migrate", () => {
  it("`prisma migrate status` reads what npm run setup recorded as up to date (SQLite, where Prisma's JS engine can)", async () => {
    const database = await createMigratedDatabase("sqlite");
    try {
      const result = runPrismaCli(["migrate", "status"], database.url);
      expect(result.stdout + result.stderr).toMatch(/Database schema is up to date!/);
      expect(result.status).toBe(0);
    } finally {
      await database.drop();
    }
  });
});

describe("drift check", () => {
  it("reports a field added to the models without a migration", async () => {
    const models = readModels().replace(
      /(model BillingSchedule \{\n)/,
      "$1  graceDays Int @default(0)\n",
    );
    const scratch = await createEmptyDatabase("sqlite");
    try {
      expect(await findDrift("sqlite", scratch.target, models)).toEqual([
        "column BillingSchedule.graceDays is missing",
      ]);
    } finally {
      await scratch.drop();
    }
  });

  it("reports an index dropped from the models", async () => {
    const models = readModels().replace("  @@index([status, nextActionAt])\n", "");
    const scratch = await createEmptyDatabase("sqlite");
    try {
      expect(await findDrift("sqlite", scratch.target, models)).toEqual([
        "index DunningTracker_status_nextActionAt_idx (status, nextActionAt) on DunningTracker is not in the models",
      ]);
    } finally {
      await scratch.drop();
    }
  });
});
