/**
 * `npm run bench:export`: `npm run export` and `npm run import` of one large shop (the admin
 * pages' year of billing, bench/page-seed.ts, topped up to 100,000 billing attempts, with a
 * week of webhook deliveries and a neighbour shop) on a scratch database of each provider.
 * Prints each command's wall time (Node's start included), the time it reports, its peak
 * RSS and the file's size, with Node's default memory settings and with the container
 * image's (Dockerfile ENV). Not a test: it passes or fails nothing (docs/benchmarks.md).
 *
 *   --providers postgresql     also sqlite, mysql (BENCH_POSTGRESQL_URL, BENCH_MYSQL_URL)
 *   --attempts 100000          billing attempts of the shop (at least the seed's ~100,000; fewer: the seed is cut)
 *   --gzip                     write the export gzipped (.jsonl.gz)
 */
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { DatabaseProvider } from "../app/config/database-url";
import { createPrismaClient, type PrismaClient } from "../app/db/client.server";
import { applyMigrations, migrationsDirectory, readMigrations } from "../app/db/migrate.server";
import { containerEnvironment } from "../tools/container-settings";
import { createEmptyDatabase, type TestDatabase } from "../tools/scratch-databases";
import { PAGE_BENCH_SHOP, seedPageBenchShop } from "./page-seed";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SERVER_URLS: Record<Exclude<DatabaseProvider, "sqlite">, string> = {
  postgresql: process.env.BENCH_POSTGRESQL_URL || "postgresql://root@127.0.0.1:5432/test",
  mysql: process.env.BENCH_MYSQL_URL || "mysql://root@127.0.0.1:3306/test",
};
const SHOP = PAGE_BENCH_SHOP;
const NEIGHBOUR = "bench-neighbour.myshopify.com";
const NOW = new Date("2026-01-14T10:00:00.000Z");
const CHUNK = 5_000;

interface Measured {
  wallSeconds: number;
  reportedSeconds: number;
  peakRssMb: number;
  output: string;
}

/** Runs scripts/<name>.ts as `npm run` would, with its peak RSS reported on exit. */
function measure(name: string, args: string[], databaseUrl: string, env: Record<string, string>): Promise<Measured> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--import", path.join(root, "bench", "peak-rss.ts"), path.join(root, "scripts", `${name}.ts`), ...args],
      { cwd: root, env: { ...process.env, ...env, APP_ENV_FILE: "", DATABASE_URL: databaseUrl, DIRECT_DATABASE_URL: "" } },
    );
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("close", (status) => {
      if (status !== 0) return reject(new Error(`${name} exited ${status}:\n${output}`));
      const peak = Number(/peak-rss-kb (\d+)/.exec(output)?.[1] ?? NaN);
      const reported = Number(/ in ([\d.]+) s/.exec(output)?.[1] ?? NaN);
      resolve({ wallSeconds: (performance.now() - started) / 1000, reportedSeconds: reported, peakRssMb: peak / 1024, output: output.replace(/peak-rss-kb \d+\n/, "").trim() });
    });
  });
}

async function scratchDatabase(provider: DatabaseProvider, name: string): Promise<TestDatabase> {
  const database = await createEmptyDatabase(provider, {
    name: `bench_export_${name}_${Date.now().toString(36)}`,
    serverUrl: provider === "sqlite" ? undefined : SERVER_URLS[provider],
    sqliteDirectory: path.join(os.tmpdir(), "billing-bench"),
  });
  await applyMigrations(database.target, readMigrations(migrationsDirectory(provider, root)));
  return database;
}

async function inChunks<T>(rows: T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await write(rows.slice(i, i + CHUNK));
}

/** The shop with `attempts` attempts, a week of deliveries; a neighbour with a tenth of it. */
async function seed(prisma: PrismaClient, attempts: number): Promise<Record<string, number>> {
  await prisma.billingSchedule.create({ data: { shop: SHOP, timezone: "America/Los_Angeles", lastBilledLocalDate: "2026-01-14" } });
  await prisma.dunningPolicy.create({
    data: { shop: SHOP, retryCount: 4, retryDelaysDays: "1,3,5,7", finalAction: "PAUSE", inventoryRetryCount: 3, inventoryRetryDelaysDays: "1", inventoryFinalAction: "SKIP", sendPaymentUpdateEmail: true, paymentUpdateEmailIntervalHours: 72 },
  });
  const seeded = await seedPageBenchShop(prisma, NOW);
  const extra = attempts - seeded.attempts;
  if (extra > 0) {
    const rows = Array.from({ length: extra }, (_, i) => ({
      shop: SHOP,
      contractId: `gid://shopify/SubscriptionContract/${900_000 + Math.floor(i / 12)}`,
      billingCycleIndex: (i % 12) + 1,
      attemptNumber: 1,
      idempotencyKey: `bench-extra-${i}`,
      status: "SUCCEEDED",
      shopifyAttemptId: `gid://shopify/SubscriptionBillingAttempt/${9_000_000 + i}`,
      orderId: `gid://shopify/Order/${9_000_000 + i}`,
      expectedBillingDate: new Date(NOW.getTime() - i * 60_000),
      runLocalDate: "2025-12-01",
      sentAt: NOW,
      completedAt: NOW,
    }));
    await inChunks(rows, (data) => prisma.billingAttempt.createMany({ data }));
  } else if (extra < 0) {
    const keep = await prisma.billingAttempt.findMany({ where: { shop: SHOP }, orderBy: { id: "asc" }, skip: attempts - 1, take: 1, select: { id: true } });
    await prisma.billingAttempt.deleteMany({ where: { shop: SHOP, id: { gt: keep[0]?.id ?? 0 } } });
  }
  const webhooks = Array.from({ length: 10_000 }, (_, i) => ({ webhookId: `bench-delivery-${i.toString().padStart(6, "0")}`, shop: SHOP, topic: "subscription_billing_attempts/success", processedAt: new Date(NOW.getTime() - i * 60_000) }));
  await inChunks(webhooks, (data) => prisma.processedWebhook.createMany({ data }));
  const neighbour = Array.from({ length: Math.floor(attempts / 10) }, (_, i) => ({
    shop: NEIGHBOUR,
    contractId: `gid://shopify/SubscriptionContract/${i}`,
    billingCycleIndex: 1,
    attemptNumber: 1,
    idempotencyKey: `bench-neighbour-${i}`,
    expectedBillingDate: NOW,
    runLocalDate: "2026-01-14",
  }));
  await inChunks(neighbour, (data) => prisma.billingAttempt.createMany({ data }));
  return {
    BillingAttempt: await prisma.billingAttempt.count({ where: { shop: SHOP } }),
    DunningTracker: await prisma.dunningTracker.count({ where: { shop: SHOP } }),
    DunningEvent: await prisma.dunningEvent.count({ where: { shop: SHOP } }),
    Customer: await prisma.customer.count({ where: { shop: SHOP } }),
    ProcessedWebhook: await prisma.processedWebhook.count({ where: { shop: SHOP } }),
  };
}

async function benchProvider(provider: DatabaseProvider, attempts: number, gzip: boolean): Promise<void> {
  const directory = path.join(os.tmpdir(), "billing-bench", `export-${Date.now().toString(36)}`);
  mkdirSync(directory, { recursive: true });
  const source = await scratchDatabase(provider, "source");
  const targets: TestDatabase[] = [];
  try {
    const seeding = performance.now();
    const prisma = createPrismaClient(source.target);
    const counts = await seed(prisma, attempts).finally(() => prisma.$disconnect());
    console.log(`${provider}: seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s: ${Object.entries(counts).map(([table, count]) => `${table} ${count}`).join(", ")}`);

    const { NODE_OPTIONS = "", MALLOC_ARENA_MAX = "" } = containerEnvironment();
    const settings: Array<[string, Record<string, string>]> = [
      ["Node's defaults", {}],
      [`the image's (${NODE_OPTIONS})`, { NODE_OPTIONS, MALLOC_ARENA_MAX }],
    ];
    for (const [index, [label, env]] of settings.entries()) {
      const file = path.join(directory, `shop-${index}.jsonl${gzip ? ".gz" : ""}`);
      const target = await scratchDatabase(provider, `target${index}`);
      targets.push(target);
      const exported = await measure("export-shop", ["--shop", SHOP, "--out", file], source.url, env);
      const imported = await measure("import-shop", ["--file", file], target.url, env);
      const size = statSync(file).size / 1024 / 1024;
      console.log(`  with ${label} memory settings:`);
      console.log(`    export: ${exported.wallSeconds.toFixed(1)} s wall (${exported.reportedSeconds} s reported), peak RSS ${exported.peakRssMb.toFixed(0)} MB, file ${size.toFixed(1)} MB`);
      console.log(`    import: ${imported.wallSeconds.toFixed(1)} s wall (${imported.reportedSeconds} s reported), peak RSS ${imported.peakRssMb.toFixed(0)} MB`);
      const check = createPrismaClient(target.target);
      try {
        const landed = await check.billingAttempt.count({ where: { shop: SHOP } });
        if (landed !== counts.BillingAttempt) throw new Error(`imported ${landed} attempts of ${counts.BillingAttempt}`);
      } finally {
        await check.$disconnect();
      }
    }
  } finally {
    await source.drop();
    for (const target of targets) await target.drop();
    rmSync(directory, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { providers: { type: "string", default: "postgresql" }, attempts: { type: "string", default: "100000" }, gzip: { type: "boolean", default: false } },
    strict: true,
  });
  const providers = values.providers.split(",").map((name) => name.trim()) as DatabaseProvider[];
  console.log(`Per-shop export and import, ${values.attempts} attempts, node ${process.version}, ${os.cpus().length} cores${values.gzip ? ", gzip" : ""}`);
  for (const provider of providers) await benchProvider(provider, Number(values.attempts), values.gzip);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
