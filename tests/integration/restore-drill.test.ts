import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, createReadStream, existsSync, mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { DatabaseProvider } from "../../app/config/database-url";
import { openSqlConnection } from "../../app/db/sql-connection.server";
import { createEmptyDatabase, type TestDatabase } from "../../tools/scratch-databases";
import { startBillingHarness, type BillingHarness } from "../support/billing-harness";
import { BROWSER_USER_AGENT, callAction, callLoader, embeddedAdminRequest } from "../support/app-under-test";
import { moveProcessClock, pinProcessClock } from "../support/pinned-clock";
import { readAllRows, runProductScript } from "../support/product-script";
import { testProviders } from "../support/providers";
import { runSetup } from "../support/run-setup";

// The restore drill of docs/operations.md ("Backups"), run for real on each provider: a shop
// seeded through the app, an online backup with the provider's own tool, the database
// dropped, restored, `npm run setup` with nothing to do, and the app serving the same data.

const ROUTES = "../../app/routes";
const SHOP = "restore-drill.myshopify.com";
const START = new Date("2026-01-14T10:00:00Z");
const HOUR = 3600_000;
const directory = path.join(os.tmpdir(), "billing-app-tests", `restore-drill-${randomBytes(4).toString("hex")}`);

/** The client tools each provider's backup needs, and the Debian package that has them. */
const BACKUP_TOOLS: Record<DatabaseProvider, Array<{ tool: string; debianPackage: string }>> = {
  sqlite: [],
  postgresql: [
    { tool: "pg_dump", debianPackage: "postgresql-client" },
    { tool: "pg_restore", debianPackage: "postgresql-client" },
  ],
  mysql: [
    { tool: "mariadb-dump", debianPackage: "mariadb-client" },
    { tool: "mariadb", debianPackage: "mariadb-client" },
  ],
};

/** Fails (never skips) when a tool is missing, saying how to install it. */
function requireBackupTools(provider: DatabaseProvider): void {
  const missing = BACKUP_TOOLS[provider].filter(({ tool }) => spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0);
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map(({ debianPackage }) => debianPackage))].join(" ");
  throw new Error(
    `the ${provider} restore drill needs ${missing.map(({ tool }) => tool).join(" and ")}: ` +
      `install them with "sudo apt-get install -y ${packages}" (bash tools/test-all.sh does)`,
  );
}

interface Run {
  status: number | null;
  output: string;
}

/** Runs a command; `stdin` is a file fed to it (mariadb < dump.sql). */
function run(command: string, args: string[], { env = {}, stdin }: { env?: Record<string, string>; stdin?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: [stdin ? "pipe" : "ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    if (stdin) createReadStream(stdin).pipe(child.stdin!);
    child.on("close", (status) => resolve({ status, output }));
  });
}

/** mariadb and mariadb-dump take the connection as options; the password goes by environment. */
function mariadbConnection(url: string) {
  const parsed = new URL(url);
  return {
    args: [`--host=${parsed.hostname}`, `--port=${parsed.port || "3306"}`, `--user=${decodeURIComponent(parsed.username)}`],
    env: (parsed.password ? { MYSQL_PWD: decodeURIComponent(parsed.password) } : {}) as Record<string, string>,
    database: decodeURIComponent(parsed.pathname.slice(1)),
  };
}

/** The documented backup command of each provider (docs/operations.md, "Backups"). */
async function backUp(database: TestDatabase, file: string): Promise<Run> {
  switch (database.provider) {
    case "postgresql":
      return run("pg_dump", ["--format=custom", `--file=${file}`, `--dbname=${database.url}`]);
    case "mysql": {
      const { args, env, database: name } = mariadbConnection(database.url);
      const options = ["--single-transaction", "--routines", "--triggers", "--events", "--hex-blob", "--default-character-set=utf8mb4"];
      return run("mariadb-dump", [...args, ...options, `--result-file=${file}`, name], { env });
    }
    case "sqlite":
      return runProductScript("backup-sqlite", ["--out", file], database.url);
  }
}

/** Into the empty database of the same name (SQLite: the file put back where it was). */
async function restore(database: TestDatabase, file: string): Promise<Run> {
  switch (database.provider) {
    case "postgresql":
      return run("pg_restore", ["--no-owner", "--exit-on-error", "--single-transaction", `--dbname=${database.url}`, file]);
    case "mysql": {
      const { args, env, database: name } = mariadbConnection(database.url);
      return run("mariadb", [...args, name], { env, stdin: file });
    }
    case "sqlite":
      copyFileSync(file, database.target.sqliteFile!);
      return { status: 0, output: "" };
  }
}

/** What the merchant sees: every admin page's data, a tracker's page included. */
async function adminPages(harness: BillingHarness) {
  const load = async (module: string, pagePath: string) => {
    const data = await callLoader(`${ROUTES}/${module}`, embeddedAdminRequest(pagePath, SHOP));
    if (data instanceof Response) throw new Error(`${pagePath} answered ${data.status}`);
    return data;
  };
  const [tracker] = await harness.prisma.dunningTracker.findMany({ where: { shop: SHOP }, orderBy: { id: "asc" }, take: 1 });
  const route = (await import(/* @vite-ignore */ `${ROUTES}/app.dunning.$id`)) as {
    loader: (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown>;
  };
  const id = String(tracker.id);
  return {
    overview: await load("app._index", "/app"),
    charges: await load("app.charges", "/app/charges"),
    dunning: await load("app.dunning._index", "/app/dunning"),
    settings: await load("app.settings", "/app/settings"),
    tracker: await route.loader({ request: embeddedAdminRequest(`/app/dunning/${id}`, SHOP), params: { id }, context: {} }),
  };
}

/** Prisma's migration records, as the database holds them. */
async function migrationRecords(database: TestDatabase) {
  const connection = await openSqlConnection(database.target);
  try {
    return await connection.query("SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name");
  } finally {
    await connection.close();
  }
}

describe.each(testProviders())("%s: the restore drill", (provider) => {
  let harness: BillingHarness | undefined;

  afterEach(async () => {
    await harness?.close();
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("backs up online, drops the database, restores it: npm run setup has nothing to do and the app serves the same data", async () => {
    requireBackupTools(provider);
    mkdirSync(directory, { recursive: true });

    // A shop seeded through the app: installed, its policy saved, billed (one card short once,
    // one expired), and dunning's retry a day later.
    harness = await startBillingHarness(provider, { startTime: START });
    const { simulator } = harness;
    await harness.install(SHOP, { ianaTimezone: "Pacific/Auckland" });
    const policy = new Request(embeddedAdminRequest("/app/settings", SHOP).url, {
      method: "POST",
      headers: { "User-Agent": BROWSER_USER_AGENT, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ intent: "save", retryCount: "3", retryDelaysDays: "1,2", finalAction: "PAUSE", inventoryRetryCount: "1", inventoryRetryDelaysDays: "1", inventoryFinalAction: "SKIP", sendPaymentUpdateEmail: "true", paymentUpdateEmailIntervalHours: "48" }),
    });
    await callAction(`${ROUTES}/app.settings`, policy);
    const due = new Date(simulator.clock.now().getTime() - HOUR);
    const customer = { interval: "MONTH" as const, nextBillingDate: due, currencyCode: "NZD" };
    simulator.createContract(SHOP, { ...customer, amount: "29.00", firstName: "Grace", lastName: "Hopper", email: "grace@example.com" });
    simulator.createContract(SHOP, { ...customer, amount: "12.50", firstName: "José", lastName: "Núñez", email: "jose@example.com", paymentMethodOutcomes: [{ error: "INSUFFICIENT_FUNDS" }, "success"] });
    simulator.createContract(SHOP, { ...customer, amount: "0.10", firstName: "山田", lastName: "太郎", email: "taro@example.com", defaultOutcome: { error: "EXPIRED_CARD" } });
    await harness.runBilling();
    await simulator.waitForIdle();
    moveProcessClock(25 * HOUR);
    await harness.runBilling();
    await simulator.waitForIdle();
    // The pages read the clock: hold it still while they are compared.
    pinProcessClock(new Date(), { frozen: true });

    const database = harness.database;
    const before = { rows: await readAllRows(harness.prisma), pages: await adminPages(harness), migrations: await migrationRecords(database) };
    expect(before.rows.BillingAttempt.length).toBeGreaterThanOrEqual(4);
    expect(before.rows.DunningTracker.length).toBe(2);
    expect(before.rows.DunningEvent.length).toBeGreaterThan(2);
    expect(before.rows.DunningPolicy).toHaveLength(1);
    expect(before.rows.Customer).toHaveLength(3);
    expect(before.rows.Session.length).toBeGreaterThan(0);

    // Online: the app's connections stay open while the backup runs.
    const file = path.join(directory, `${provider}.backup`);
    const backup = await backUp(database, file);
    expect(backup.status, backup.output).toBe(0);
    expect(existsSync(file)).toBe(true);

    await harness.prisma.$disconnect();
    await database.drop();
    if (provider !== "sqlite") await createEmptyDatabase(provider, { name: new URL(database.url).pathname.slice(1) });
    const restored = await restore(database, file);
    expect(restored.status, restored.output).toBe(0);

    const setup = await runSetup({ DATABASE_URL: database.url }, ["--migrate-only"]);
    expect(setup.status, setup.output).toBe(0);
    expect(setup.output).toMatch(new RegExp(`all ${before.migrations.length} migration\\(s\\) already applied`));
    expect(setup.output).not.toMatch(/Applied \d+ migration/);

    await harness.restartApp();
    expect(await migrationRecords(database)).toEqual(before.migrations);
    expect(await readAllRows(harness.prisma)).toEqual(before.rows);
    expect(await adminPages(harness)).toEqual(before.pages);
  }, 120_000);
});

describe("npm run backup:sqlite", () => {
  it("names the right tool for a server database, and never overwrites a file", async () => {
    mkdirSync(directory, { recursive: true });
    const server = await runProductScript("backup-sqlite", ["--out", path.join(directory, "x.sqlite")], "postgresql://root@127.0.0.1:5432/anything");
    expect(server.status).toBe(1);
    expect(server.output).toContain('backup failed: DATABASE_URL names PostgreSQL at 127.0.0.1:5432/anything: back it up with pg_dump -Fc (docs/operations.md, "Backups")');
    const missing = await runProductScript("backup-sqlite", ["--out", path.join(directory, "y.sqlite")], `file:${path.join(directory, "none.sqlite")}`);
    expect(missing.output).toMatch(/backup failed: SQLite file .*none\.sqlite does not exist/);
    const database = await createEmptyDatabase("sqlite");
    try {
      const itself = await runProductScript("backup-sqlite", ["--out", database.target.sqliteFile!], database.url);
      expect(itself.output).toContain("does not exist");
      await runSetup({ DATABASE_URL: database.url }, ["--migrate-only"]);
      const same = await runProductScript("backup-sqlite", ["--out", database.target.sqliteFile!], database.url);
      expect(same.status).toBe(2);
      expect(same.output).toContain("backup: --out names the database itself");
      const taken = path.join(directory, "taken.sqlite");
      copyFileSync(database.target.sqliteFile!, taken);
      const exists = await runProductScript("backup-sqlite", ["--out", taken], database.url);
      expect(exists.output).toContain(`backup failed: ${taken} exists already`);
      const fresh = await runProductScript("backup-sqlite", ["--out", path.join(directory, "fresh.sqlite")], database.url);
      expect(fresh.status, fresh.output).toBe(0);
      expect(fresh.output).toMatch(/Backed up SQLite file .* to .*fresh\.sqlite \(.*, \d+ pages, migration \d+_\w+\) in [\d.]+ s; integrity check ok\./);
    } finally {
      await database.drop();
    }
    const noOut = await runProductScript("backup-sqlite", [], "file:./prisma/unused.sqlite");
    expect(noOut.output).toContain("backup: --out is required\nusage: npm run backup:sqlite -- --out <file>");
  });
});
