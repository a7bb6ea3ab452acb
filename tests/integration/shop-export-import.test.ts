import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "../../app/db/client.server";
import type { DatabaseProvider } from "../../app/config/database-url";
import { applyMigrations, migrationsDirectory, readMigrations } from "../../app/db/migrate.server";
import { EXPORT_TABLES, ID_REFERENCES } from "../../app/shops/shop-export-format";
import { openSqlConnection } from "../../app/db/sql-connection.server";
import { exportShopToFile } from "../../app/shops/shop-export.server";
import { importShopFromFile } from "../../app/shops/shop-import.server";
import { connectPrisma, createEmptyDatabase, createMigratedDatabase, type TestDatabase } from "../../tools/scratch-databases";
import { readAllRows, readShopRows, runProductScript } from "../support/product-script";
import { testProviders } from "../support/providers";

const SHOP = "awkward-store.myshopify.com";
const OTHER = "other-store.myshopify.com";
const THIRD = "third-store.myshopify.com";
const directory = path.join(os.tmpdir(), "billing-app-tests", `shop-exports-${randomBytes(4).toString("hex")}`);

/** MySQL's TEXT holds 65,535 bytes: two-byte characters up to the last byte. */
const LONGEST_TEXT = "é".repeat(32_767) + "x";
/** VARCHAR(191) on MySQL: 191 characters, each of four bytes. */
const LONGEST_STRING = "😀".repeat(191);
const UNICODE = "José Núñez · 山田太郎 · 👩🏽‍💻 · \"quoted\" \\ back\nslash\ttab · \u2028";
const at = (iso: string) => new Date(iso);

/**
 * Every kind of row a shop has, with values that break careless copies: unicode, the longest
 * text each MySQL column holds, nulls everywhere they are allowed, instants a millisecond off
 * the second, amounts whose zeros matter, the largest 32-bit numbers. `variant` changes the
 * values, so two seeds of one shop differ in every table.
 */
async function seedShop(prisma: PrismaClient, shop: string, variant = "") {
  const created = at("2026-01-14T09:00:00.001Z");
  await prisma.billingSchedule.create({
    data: { shop, timezone: "Pacific/Kiritimati", billingHour: 23, active: false, lastBilledLocalDate: `2026-01-13${variant}`, nextRunAt: at("2026-01-15T09:00:00.999Z"), leaseOwner: `worker ${UNICODE}`, leaseExpiresAt: at("2000-02-29T23:59:59.999Z"), lastRunStartedAt: at("2026-01-14T09:00:00.000Z"), lastRunFinishedAt: at("2026-01-14T09:00:01.234Z"), lastRunOutcome: "FAILED", lastRunError: LONGEST_TEXT, deactivatedReason: LONGEST_STRING, createdAt: created, updatedAt: at("2026-01-14T09:00:02.002Z") },
  });
  await prisma.dunningPolicy.create({
    data: { shop, retryCount: 2_147_483_647, retryDelaysDays: `1,3,5,7${variant}`, finalAction: "CANCEL", inventoryRetryCount: 0, inventoryRetryDelaysDays: "", inventoryFinalAction: "SKIP", sendPaymentUpdateEmail: false, paymentUpdateEmailIntervalHours: 24, createdAt: created, updatedAt: created },
  });
  const tracker = (index: number, full: boolean) => ({
    shop,
    contractId: `gid://shopify/SubscriptionContract/${index}${variant}`,
    billingCycleIndex: full ? 2_147_483_647 : 0,
    customerId: full ? "gid://shopify/Customer/1" : null,
    status: full ? "RECOVERED" : "OPEN",
    attemptCount: 3,
    nextAction: full ? "RETRY" : null,
    nextActionAt: full ? at("2026-01-16T00:00:00.001Z") : null,
    emailDueAt: full ? at("2026-01-15T12:00:00.500Z") : null,
    lastEmailSentAt: full ? at("2026-01-15T12:00:00.999Z") : null,
    emailsSent: full ? 2 : 0,
    lastErrorClass: full ? "SOFT" : null,
    lastErrorCode: full ? LONGEST_STRING : null,
    lastErrorMessage: full ? LONGEST_TEXT : null,
    amount: full ? "12345678.99" : "0.10",
    currencyCode: full ? "JPY" : null,
    recoveredAmount: full ? "0.10" : null,
    finalAction: full ? "PAUSE" : null,
    finalActionAppliedAt: full ? at("2026-01-17T00:00:00.007Z") : null,
    openedAt: at("2026-01-14T09:00:03.003Z"),
    completedAt: full ? at("2026-01-18T00:00:00.001Z") : null,
    completedReason: full ? UNICODE : null,
    leaseOwner: null,
    leaseExpiresAt: null,
    createdAt: created,
    updatedAt: created,
  });
  const full = await prisma.dunningTracker.create({ data: tracker(1, true) });
  const bare = await prisma.dunningTracker.create({ data: tracker(2, false) });
  for (const [index, trackerId] of [full.id, bare.id, full.id].entries()) {
    await prisma.dunningEvent.create({
      data: { trackerId, shop, at: at(`2026-01-14T09:00:0${index}.00${index + 1}Z`), kind: index ? "RETRY_SENT" : "OPENED", status: "OPEN", attemptNumber: index ? index : null, errorCode: index === 1 ? LONGEST_STRING : null, detail: index === 2 ? LONGEST_TEXT : `${UNICODE}${variant}` },
    });
  }
  await prisma.merchantNotification.create({ data: { shop, kind: "INVENTORY_SHORT", trackerId: full.id, contractId: full.contractId, message: LONGEST_TEXT, createdAt: created, dismissedAt: at("2026-01-19T00:00:00.999Z") } });
  await prisma.merchantNotification.create({ data: { shop, kind: "CUSTOMER_DATA_REQUEST", trackerId: null, contractId: null, message: `${UNICODE}${variant}`, createdAt: created, dismissedAt: null } });
  for (const attempt of [1, 2, 3]) {
    const complete = attempt < 3;
    await prisma.billingAttempt.create({
      data: { shop, contractId: full.contractId, billingCycleIndex: 5, attemptNumber: attempt, idempotencyKey: `${shop}/${full.contractId}/5/${attempt}${variant}`, customerId: complete ? "gid://shopify/Customer/1" : null, status: complete ? "FAILED" : "PENDING", shopifyAttemptId: complete ? `gid://shopify/SubscriptionBillingAttempt/${attempt}` : null, orderId: attempt === 2 ? "gid://shopify/Order/2" : null, errorCode: complete ? LONGEST_STRING : null, errorMessage: attempt === 1 ? LONGEST_TEXT : null, expectedBillingDate: at("2026-01-14T00:00:00.000Z"), runLocalDate: "2026-01-14", sentAt: complete ? at("2026-01-14T09:00:00.010Z") : null, completedAt: complete ? at("2026-01-14T09:00:00.999Z") : null, createdAt: created, updatedAt: at(`2026-01-14T09:00:0${attempt}.00${attempt}Z`) },
    });
  }
  const [firstAttempt] = await prisma.billingAttempt.findMany({ where: { shop }, orderBy: { id: "asc" }, take: 1 });
  await prisma.chargeReconciliation.create({
    data: { shop, localDate: "2026-01-13", status: "COMPLETED", cursor: LONGEST_TEXT, attemptsRead: 3, cyclesCharged: 1, cyclesChargedMoreThanOnce: 0, ordersWithoutAttempt: 0, attemptsWithoutOutcome: 1, error: null, leaseOwner: null, leaseExpiresAt: null, completedAt: at("2026-01-14T09:30:00.001Z"), createdAt: created, updatedAt: created },
  });
  await prisma.chargeReconciliation.create({ data: { shop, localDate: `2026-01-14${variant}`, attemptsRead: 0, error: UNICODE, leaseOwner: LONGEST_STRING, leaseExpiresAt: at("2026-01-14T09:31:00.999Z"), createdAt: created, updatedAt: created } });
  for (const [index, billingAttemptId] of [firstAttempt.id, null].entries()) {
    await prisma.chargeLedgerEntry.create({
      data: { shop, localDate: "2026-01-13", shopifyAttemptId: `gid://shopify/SubscriptionBillingAttempt/${index + 1}${variant}`, idempotencyKey: LONGEST_STRING, contractId: full.contractId, billingCycleIndex: billingAttemptId ? 5 : null, state: "SUCCEEDED", orderId: billingAttemptId ? "gid://shopify/Order/2" : null, orderName: billingAttemptId ? "#1042" : null, orderCreatedAt: billingAttemptId ? at("2026-01-13T09:00:01.999Z") : null, attemptCreatedAt: at("2026-01-13T09:00:00.321Z"), billingAttemptId },
    });
  }
  for (const [index, trackerId] of [full.id, bare.id].entries()) {
    const sent = index === 0;
    await prisma.flowTriggerEvent.create({
      data: { shop, eventKey: `${trackerId}:${index}${variant}`, handle: "payment-failed", trackerId, contractId: full.contractId, billingCycleIndex: 5, customerId: sent ? "gid://shopify/Customer/1" : null, attemptNumber: 1, declineCode: sent ? "insufficient_funds" : null, declineReason: sent ? UNICODE : null, finalAction: sent ? "PAUSE" : null, amount: sent ? "0.10" : null, currencyCode: sent ? "EUR" : null, occurredAt: at("2026-01-14T09:00:00.999Z"), status: sent ? "SENT" : "PENDING", deliveryAttempts: sent ? 1 : 0, nextAttemptAt: sent ? null : at("2026-01-14T09:05:00.001Z"), lastError: sent ? null : LONGEST_TEXT, payload: sent ? JSON.stringify({ reason: UNICODE }) : null, sentAt: sent ? at("2026-01-14T09:00:01.001Z") : null, leaseOwner: null, leaseExpiresAt: null, createdAt: created },
    });
  }
  await prisma.customer.create({ data: { shop, customerId: "gid://shopify/Customer/1", displayName: `${UNICODE}${variant}`, email: "jose+tag@example.com", searchText: "x".repeat(191), updatedAt: created } });
  await prisma.customer.create({ data: { shop, customerId: "gid://shopify/Customer/10", displayName: LONGEST_TEXT, email: null, searchText: "", updatedAt: at("2026-01-14T09:00:00.999Z") } });
  for (const index of [1, 2]) {
    await prisma.processedWebhook.create({ data: { webhookId: `${shop}-delivery-${index}${variant}`, shop, topic: "subscription_billing_attempts/failure", processedAt: at(`2026-01-14T09:00:0${index}.12${index}Z`) } });
  }
}

/** Some rows of another shop: the exported shop's ids do not start at 1, and its neighbours are left alone. */
async function seedOtherShop(prisma: PrismaClient, shop = OTHER) {
  await prisma.billingSchedule.create({ data: { shop, timezone: "UTC" } });
  const tracker = await prisma.dunningTracker.create({ data: { shop, contractId: "gid://shopify/SubscriptionContract/900", billingCycleIndex: 1, openedAt: at("2026-01-10T00:00:00.000Z") } });
  await prisma.dunningEvent.create({ data: { trackerId: tracker.id, shop, at: at("2026-01-10T00:00:00.000Z"), kind: "OPENED", status: "OPEN", detail: "other" } });
  await prisma.billingAttempt.create({ data: { shop, contractId: "gid://shopify/SubscriptionContract/900", billingCycleIndex: 1, attemptNumber: 1, idempotencyKey: `${shop}/900/1/1`, expectedBillingDate: at("2026-01-10T00:00:00.000Z"), runLocalDate: "2026-01-10" } });
  await prisma.merchantNotification.create({ data: { shop, kind: "INVENTORY_SHORT", trackerId: tracker.id, message: "other" } });
  await prisma.processedWebhook.create({ data: { webhookId: `${shop}-delivery`, shop, topic: "app/uninstalled" } });
}

const file = (name: string) => path.join(directory, name);
const dataLines = (text: string) => text.trimEnd().split("\n").slice(1);
const headerOf = (text: string) => JSON.parse(text.slice(0, text.indexOf("\n"))) as Record<string, unknown>;

/** The source of every test: the shop and its neighbour in SQLite, and the shop's export. */
let sourceFile: string;
let original: Awaited<ReturnType<typeof readShopRows>>;

beforeAll(async () => {
  mkdirSync(directory, { recursive: true });
  const source = await createMigratedDatabase("sqlite");
  const prisma = connectPrisma(source);
  try {
    await seedOtherShop(prisma);
    await seedShop(prisma, SHOP);
    await seedOtherShop(prisma, THIRD);
    original = await readShopRows(prisma, SHOP);
    sourceFile = file("source.jsonl");
    await exportShopToFile(prisma, source.target, { shop: SHOP, migrations: readMigrations(migrationsDirectory("sqlite")), file: sourceFile });
  } finally {
    await prisma.$disconnect();
    await source.drop();
  }
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

// SQLite -> PostgreSQL -> MySQL -> SQLite where the servers are configured (CI requires them).
const chain: DatabaseProvider[] = ["sqlite", ...testProviders().filter((provider) => provider !== "sqlite"), "sqlite"];

describe("per-shop export and import: the round trip", () => {
  it(`${chain.join(" -> ")}, by npm run import and npm run export: every row, every column and every export's data the same`, async () => {
    expect(Object.values(original).every((rows) => rows.length > 0)).toBe(true);
    const exports = [readFileSync(sourceFile, "utf8")];
    for (const [step, provider] of chain.slice(1).entries()) {
      const database = await createMigratedDatabase(provider);
      const prisma = connectPrisma(database);
      try {
        const imported = await runProductScript("import-shop", ["--file", file(step ? `step-${step}.jsonl.gz` : "source.jsonl")], database.url);
        expect(imported.status, imported.output).toBe(0);
        expect(imported.output).toContain(`Imported ${SHOP} (exported `);
        expect(imported.output).toContain("BillingAttempt 3, DunningTracker 2, DunningEvent 3, MerchantNotification 2, ChargeReconciliation 2, ChargeLedgerEntry 2, FlowTriggerEvent 2, Customer 2, ProcessedWebhook 2");
        expect(imported.output).toContain("it is billed once the merchant opens the app");
        expect(await readShopRows(prisma, SHOP)).toEqual(original);

        const exported = await runProductScript("export-shop", ["--shop", SHOP, "--out", file(`step-${step + 1}.jsonl.gz`)], database.url);
        expect(exported.status, exported.output).toBe(0);
        expect(exported.output).toMatch(new RegExp(`Exported ${SHOP} from .* to .*step-${step + 1}\\.jsonl\\.gz \\(.*\\) in .* s: BillingSchedule 1, `));
        exports.push(gunzipSync(readFileSync(file(`step-${step + 1}.jsonl.gz`))).toString("utf8"));
      } finally {
        await prisma.$disconnect();
        await database.drop();
      }
    }
    const [first, ...later] = exports;
    for (const [index, text] of later.entries()) {
      expect(dataLines(text), `the export from ${chain[index + 1]}`).toEqual(dataLines(first));
      const { exportedAt: _a, source, ...header } = headerOf(text);
      const { exportedAt: _b, source: _c, ...firstHeader } = headerOf(first);
      expect(header).toEqual(firstHeader);
      expect(source).toBe(chain[index + 1]);
    }
    expect(headerOf(first)).toMatchObject({ format: "subscription-billing/shop-export", formatVersion: 1, shop: SHOP, source: "sqlite" });
    expect(first).not.toContain(OTHER);
    expect(first).not.toContain(THIRD);
  }, 180_000);
});

describe.each(testProviders())("%s: import restores a shop whole or not at all", (provider) => {
  const migrations = readMigrations(migrationsDirectory(provider));
  let database: TestDatabase;
  let prisma: PrismaClient;
  const importFile = (name: string, replace = false) => importShopFromFile(prisma, database.target, name, { migrations, replace });

  beforeAll(async () => {
    database = await createMigratedDatabase(provider);
    prisma = connectPrisma(database);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.drop();
  });

  it("refuses a shop that has rows here already, changing nothing; --replace replaces that shop's rows only", async () => {
    await seedOtherShop(prisma);
    await seedShop(prisma, SHOP, "-before");
    const before = await readAllRows(prisma);

    await expect(importFile(sourceFile)).rejects.toThrow(
      new RegExp(`shop ${SHOP} already has rows in .*\\(BillingSchedule 1, DunningPolicy 1, BillingAttempt 3, .*ProcessedWebhook 2\\); nothing was imported\\. Run the import with --replace`),
    );
    expect(await readAllRows(prisma)).toEqual(before);

    const result = await importFile(sourceFile, true);
    expect(result.replaced).toMatchObject({ BillingSchedule: 1, BillingAttempt: 3, DunningTracker: 2, Customer: 2, ProcessedWebhook: 2 });
    const after = await readAllRows(prisma);
    const otherRows = (rows: typeof after) => Object.fromEntries(Object.entries(rows).map(([table, list]) => [table, list.filter((row) => row.shop !== SHOP)]));
    expect(otherRows(after)).toEqual(otherRows(before));
    // Its own ids were free once its rows were gone: kept.
    expect(await readShopRows(prisma, SHOP)).toEqual(original);
  });

  it("keeps the file's ids where they are free, moves them (and the tracker ids that point at them) where another shop has them, and the next rows get fresh ids", async () => {
    await prisma.$disconnect();
    await database.drop();
    database = await createMigratedDatabase(provider);
    prisma = connectPrisma(database);
    // Another shop holds ids 1 and 2 of every table: the file's ranges are taken.
    await seedOtherShop(prisma);
    await seedOtherShop(prisma, THIRD);
    const result = await importFile(sourceFile);
    expect(result.idShifts).toMatchObject({ DunningTracker: expect.any(Number), DunningEvent: expect.any(Number), BillingAttempt: expect.any(Number) });
    const imported = await readShopRows(prisma, SHOP);
    expect(withoutIds(imported)).toEqual(withoutIds(original));
    // Each reference points at the same row as before: the tracker of the same contract and cycle, the attempt of the same key.
    const target = (rows: typeof imported, table: string, id: unknown) => {
      const row = rows[table].find((candidate) => candidate.id === id);
      return row && [row.contractId, row.billingCycleIndex, row.idempotencyKey];
    };
    for (const [table, columns] of Object.entries(ID_REFERENCES)) {
      for (const [column, referenced] of Object.entries(columns)) {
        const pointedAt = (rows: typeof imported) => rows[table].map((row) => row[column] === null ? null : target(rows, referenced, row[column]));
        expect(pointedAt(imported), `${table}.${column}`).toEqual(pointedAt(original));
        expect(pointedAt(imported).length).toBeGreaterThan(0);
      }
    }
    const highest = Math.max(...imported.BillingAttempt.map((row) => row.id as number));
    const next = await prisma.billingAttempt.create({ data: { shop: SHOP, contractId: "c", billingCycleIndex: 1, attemptNumber: 1, idempotencyKey: "new", expectedBillingDate: new Date(), runLocalDate: "2026-01-20" } });
    expect(next.id).toBe(highest + 1);
  });

  it("keeps every id in an empty database, stores every value as Prisma writes it, and the app's next rows get fresh ids (PostgreSQL's sequences moved)", async () => {
    const empty = await createMigratedDatabase(provider);
    const client = connectPrisma(empty);
    const written = await createMigratedDatabase(provider);
    const writer = connectPrisma(written);
    try {
      await importShopFromFile(client, empty.target, sourceFile, { migrations });
      expect(await readShopRows(client, SHOP)).toEqual(original);
      // The same rows written by Prisma, with the same ids: what the columns hold is the same, byte for byte.
      await seedOtherShop(writer);
      await seedShop(writer, SHOP);
      expect(await readShopRows(writer, SHOP)).toEqual(original);
      expect(await storedRows(empty, SHOP)).toEqual(await storedRows(written, SHOP));

      for (const [table, rows] of Object.entries(original)) {
        if (!("id" in rows[0])) continue;
        const delegate = (client as unknown as Record<string, { create(args: object): Promise<{ id: number }> }>)[table[0].toLowerCase() + table.slice(1)];
        const fresh = await delegate.create({ data: minimalRow(table) });
        expect(fresh.id, table).toBe(Math.max(...rows.map((row) => row.id as number)) + 1);
      }
    } finally {
      await client.$disconnect();
      await writer.$disconnect();
      await empty.drop();
      await written.drop();
    }
  });

  it("refuses a damaged, foreign or wrong-version file with a clear message, and changes nothing even with --replace", async () => {
    const text = readFileSync(sourceFile, "utf8");
    const lines = text.trimEnd().split("\n");
    const header = JSON.parse(lines[0]);
    const cases: Array<[string, string | Buffer, string]> = [
      ["empty", "", "the file is empty: it is not a shop export"],
      ["csv", "shop,contract\na,b\n", "line 1 is not JSON: the file is not a shop export"],
      ["other JSON", `${JSON.stringify({ sessions: [] })}\n`, 'line 1 does not name the format "subscription-billing/shop-export"'],
      ["version 2", [JSON.stringify({ ...header, formatVersion: 2 }), ...lines.slice(1)].join("\n"), "the file is format version 2; this version of the app reads version 1: import it with the version of the app that wrote it, or a newer one"],
      ["newer app", [JSON.stringify({ ...header, migration: "20991231000000_from_the_future" }), ...lines.slice(1)].join("\n"), "the file was exported at migration 20991231000000_from_the_future, which this version of the app does not know"],
      ["cut at a line", lines.slice(0, -1).join("\n"), "the file is incomplete or damaged (ProcessedWebhook has 1 rows, the header says 2); nothing was imported"],
      ["cut mid-line", text.slice(0, text.length - 40), `line ${lines.length} is not JSON`],
      ["a bad value", lines.map((line, index) => (index === 5 ? line.replace(/"createdAt":"[^"]+"/, '"createdAt":"yesterday"') : line)).join("\n"), 'line 6: BillingAttempt.createdAt must be an instant such as 2026-01-14T09:00:00.000Z, got "yesterday"'],
      ["a row twice", [...lines, lines[lines.length - 1]].join("\n"), "writing ProcessedWebhook rows (up to line"],
      ["damaged gzip", gzipSync(text).subarray(0, 2000), "is damaged: gzip says"],
      ["not UTF-8", Buffer.concat([Buffer.from(lines[0] + "\n"), Buffer.from([0xff, 0xfe, 0x0a])]), "is not UTF-8 text"],
    ];
    await prisma.$disconnect();
    await database.drop();
    database = await createMigratedDatabase(provider);
    prisma = connectPrisma(database);
    await seedOtherShop(prisma);
    await seedShop(prisma, SHOP, "-before");
    const before = await readAllRows(prisma);
    for (const [name, content, message] of cases) {
      const damaged = file(`${provider}-${name.replaceAll(" ", "-")}.jsonl`);
      writeFileSync(damaged, content);
      await expect(importFile(damaged, true), name).rejects.toThrow(message);
      expect(await readAllRows(prisma), name).toEqual(before);
    }
  });

  it("refuses a database whose migrations are behind this app, naming the fix", async () => {
    const behind = await createEmptyDatabase(provider);
    await applyMigrations(behind.target, migrations.slice(0, -1));
    const client = connectPrisma(behind);
    try {
      await expect(importShopFromFile(client, behind.target, sourceFile, { migrations })).rejects.toThrow(
        `the database's migrations are behind this version of the app: Migrations not yet applied: ${migrations[migrations.length - 1].name}: run \`npm run setup\`.`,
      );
      const run = await runProductScript("import-shop", ["--file", sourceFile], behind.url);
      expect(run.status).toBe(1);
      expect(run.output).toContain("import failed: the database's migrations are behind this version of the app");
    } finally {
      await client.$disconnect();
      await behind.drop();
    }
  });
});

describe("per-shop export and import: the command lines", () => {
  it("name a mistyped shop, a missing option and an existing file instead of writing anything", async () => {
    const database = await createMigratedDatabase("sqlite");
    try {
      const noShop = await runProductScript("export-shop", ["--out", file("none.jsonl")], database.url);
      expect(noShop.status).toBe(2);
      expect(noShop.output).toContain("export: --shop is required\nusage: npm run export -- --shop <name.myshopify.com>");
      const unknown = await runProductScript("export-shop", ["--shop", "typo.myshopify.com", "--out", file("typo.jsonl")], database.url);
      expect(unknown.status).toBe(1);
      expect(unknown.output).toMatch(/export failed: SQLite file .* holds no rows of shop typo\.myshopify\.com: check its domain/);
      const exists = await runProductScript("export-shop", ["--shop", SHOP, "--out", sourceFile], database.url);
      expect(exists.output).toContain(`export failed: ${sourceFile} exists already`);
      const noFile = await runProductScript("import-shop", ["--replace"], database.url);
      expect(noFile.status).toBe(2);
      expect(noFile.output).toContain("import: --file is required\nusage: npm run import -- --file <export file> [--replace]");
    } finally {
      await database.drop();
    }
  });
});

/** The rows without their ids (and the ids they hold), for imports that had to move them. */
function withoutIds(rows: Record<string, Array<Record<string, unknown>>>) {
  return Object.fromEntries(
    Object.entries(rows).map(([table, list]) => {
      const dropped = ["id", ...Object.keys(ID_REFERENCES[table] ?? {})];
      return [table, list.map((row) => Object.fromEntries(Object.entries(row).filter(([column]) => !dropped.includes(column))))];
    }),
  );
}

/** The shop's rows as the database itself returns them (SQLite: its text and integers), Prisma bypassed. */
async function storedRows(database: TestDatabase, shop: string): Promise<Record<string, unknown[]>> {
  const connection = await openSqlConnection(database.target);
  const quote = (name: string) => (database.provider === "mysql" ? `\`${name}\`` : `"${name}"`);
  try {
    const rows: Record<string, unknown[]> = {};
    for (const table of EXPORT_TABLES) {
      rows[table.name] = await connection.query(`SELECT * FROM ${quote(table.name)} WHERE ${quote("shop")} = ? ORDER BY ${table.key.map(quote).join(", ")}`, [shop]);
      expect(rows[table.name].length, table.name).toBeGreaterThan(0);
    }
    return rows;
  } finally {
    await connection.close();
  }
}

/** The least a new row of each auto-increment table needs. */
function minimalRow(table: string): Record<string, unknown> {
  const shop = "fresh.myshopify.com";
  const now = new Date("2026-01-20T00:00:00.000Z");
  return {
    BillingSchedule: { shop, timezone: "UTC" },
    DunningPolicy: { shop, retryCount: 1, retryDelaysDays: "1", finalAction: "SKIP", inventoryRetryCount: 1, inventoryRetryDelaysDays: "1", inventoryFinalAction: "SKIP", sendPaymentUpdateEmail: true, paymentUpdateEmailIntervalHours: 24 },
    BillingAttempt: { shop, contractId: "c", billingCycleIndex: 1, attemptNumber: 1, idempotencyKey: "fresh", expectedBillingDate: now, runLocalDate: "2026-01-20" },
    DunningTracker: { shop, contractId: "c", billingCycleIndex: 1, openedAt: now },
    DunningEvent: { trackerId: 1, shop, at: now, kind: "OPENED", status: "OPEN", detail: "" },
    MerchantNotification: { shop, kind: "X", message: "" },
    ChargeReconciliation: { shop, localDate: "2026-01-20" },
    ChargeLedgerEntry: { shop, localDate: "2026-01-20", shopifyAttemptId: "a", idempotencyKey: "k", contractId: "c", state: "SUCCEEDED", attemptCreatedAt: now },
    FlowTriggerEvent: { shop, eventKey: "fresh", handle: "h", trackerId: 1, contractId: "c", billingCycleIndex: 1, attemptNumber: 1, occurredAt: now },
  }[table]!;
}
