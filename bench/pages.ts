/**
 * `npm run bench:pages`: the merchant's admin pages (Charges, Dunning, a tracker, Settings, Insights) against
 * the built server, on PostgreSQL, for one shop with 10,000 dunning trackers and about
 * 100,000 billing attempts (bench/page-seed.ts). Prints each page's server time (p50, p95,
 * max over sequential requests) and HTML size, against the targets: p95 <= 150 ms, HTML <=
 * 150 KB. Not a test: it passes or fails nothing (docs/benchmarks.md, "Admin pages").
 * Needs a build first: flock /tmp/remix-build.lock npx remix vite:build
 *
 *   --providers postgresql     also sqlite, mysql (BENCH_MYSQL_URL)
 *   --requests 40              timed requests per page (after 3 untimed)
 *   --json FILE                write the numbers
 */
import { existsSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import type { DatabaseProvider } from "../app/config/database-url";
import { createPrismaClient, type PrismaClient } from "../app/db/client.server";
import { applyMigrations, migrationsDirectory, readMigrations } from "../app/db/migrate.server";
import { encodeCursor } from "../app/lib/keyset-page";
import { signSessionToken } from "../simulator/session-token";
import { startStoreSimulator, type StoreSimulator } from "../simulator/store-simulator";
import { startBuiltApp, type RunningAppServer } from "../tools/built-app";
import { createEmptyDatabase, type TestDatabase } from "../tools/scratch-databases";
import { PAGE_BENCH_SHOP, PAGE_BENCH_TIME_ZONE, seedPageBenchShop, type SeededShop } from "./page-seed";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const API_KEY = "bench-pages-api-key";
const API_SECRET = "bench-pages-api-secret-not-for-production";
const BROWSER_USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
const SERVER_URLS: Record<Exclude<DatabaseProvider, "sqlite">, string> = {
  postgresql: process.env.BENCH_POSTGRESQL_URL || "postgresql://root@127.0.0.1:5432/test",
  mysql: process.env.BENCH_MYSQL_URL || "mysql://root@127.0.0.1:3306/test",
};
const TARGET_P95_MS = 150;
const TARGET_HTML_KB = 150;
const WARM_UP = 3;

interface PageResult {
  page: string;
  path: string;
  p50: number;
  p95: number;
  max: number;
  htmlKb: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The page's URL as Shopify admin opens it: a fresh session token, the merchant's locale. */
function adminUrl(appUrl: string, pathAndQuery: string): string {
  const url = new URL(pathAndQuery, appUrl);
  url.searchParams.set("embedded", "1");
  url.searchParams.set("shop", PAGE_BENCH_SHOP);
  url.searchParams.set("host", Buffer.from(`admin.shopify.com/store/${PAGE_BENCH_SHOP.split(".")[0]}`).toString("base64"));
  url.searchParams.set("locale", "en-US");
  url.searchParams.set("id_token", signSessionToken({ shop: PAGE_BENCH_SHOP, apiKey: API_KEY, apiSecret: API_SECRET, expiresInSeconds: 600 }));
  return url.toString();
}

/** A GET; once more on a fresh connection when a kept-alive one was closed by the server meanwhile (it idles while the bench seeds). */
async function fetchOnce(url: string): Promise<Response> {
  const init = { headers: { "User-Agent": BROWSER_USER_AGENT, "Accept-Encoding": "identity" } };
  try {
    return await fetch(url, init);
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== "UND_ERR_SOCKET") throw error;
    return fetch(url, init);
  }
}

async function timePage(appUrl: string, page: string, pathAndQuery: string, requests: number): Promise<PageResult> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < WARM_UP + requests; i++) {
    const url = adminUrl(appUrl, pathAndQuery);
    const started = performance.now();
    const response = await fetchOnce(url);
    const html = await response.text();
    const elapsed = performance.now() - started;
    if (response.status !== 200) throw new Error(`${page} (${pathAndQuery}) answered ${response.status}: ${html.slice(0, 300)}`);
    if (i >= WARM_UP) times.push(elapsed);
    bytes = Buffer.byteLength(html);
  }
  times.sort((a, b) => a - b);
  return { page, path: pathAndQuery, p50: percentile(times, 50), p95: percentile(times, 95), max: times[times.length - 1], htmlKb: bytes / 1024 };
}

/** The pages a merchant opens, the heaviest variants of each. */
function scenarios(seeded: SeededShop, cursors: { charges: string; trackers: string; events: string }): Array<[string, string]> {
  return [
    ["Charges: newest first", "/app/charges"],
    ["Charges: a customer's email", `/app/charges?query=${encodeURIComponent(seeded.email)}`],
    ["Charges: a common surname", `/app/charges?query=${seeded.surname}`],
    ["Charges: a contract number", `/app/charges?query=%23${seeded.contractNumber}`],
    ["Charges: failed, one month", "/app/charges?outcome=failed&from=2026-05-01&to=2026-05-31"],
    ["Charges: page 2", `/app/charges?after=${cursors.charges}`],
    ["Dunning: open, by next step", "/app/dunning"],
    ["Dunning: all, newest first", "/app/dunning?tab=all&sort=opened+desc"],
    ["Dunning: card needs updating", "/app/dunning?tab=all&category=HARD"],
    ["Dunning: a common surname", `/app/dunning?tab=all&query=${seeded.surname}`],
    ["Dunning: page 2", `/app/dunning?after=${cursors.trackers}`],
    ["Tracker: a few events", `/app/dunning/${seeded.typicalTrackerId}`],
    ["Tracker: 3,000 events", `/app/dunning/${seeded.longTrackerId}`],
    ["Tracker: 3,000 events, older page", `/app/dunning/${seeded.longTrackerId}?older=${cursors.events}`],
    // The what-if's and Insights' aggregates: the 90 days' trackers (about 2,500) and their retries.
    ["Settings: the what-if", "/app/settings"],
    ["Settings: a suggestion pre-filled", "/app/settings?retryCount=3&from=insights"],
    ["Insights", "/app/insights"],
  ];
}

/** The cursors page 2 links carry: the 25th row of each first page, in that page's order. */
async function firstPageCursors(prisma: PrismaClient, seeded: SeededShop) {
  const shop = PAGE_BENCH_SHOP;
  const charge = await prisma.billingAttempt.findFirstOrThrow({ where: { shop }, orderBy: [{ runLocalDate: "desc" }, { createdAt: "desc" }, { id: "desc" }], skip: 24 });
  const tracker = await prisma.dunningTracker.findFirstOrThrow({
    where: { shop, status: { in: ["OPEN", "WAITING_FOR_PAYMENT_METHOD", "ACTION_REQUIRED"] } },
    orderBy: [{ nextActionAt: { sort: "asc", nulls: "last" } }, { id: "asc" }],
    skip: 24,
  });
  const event = await prisma.dunningEvent.findFirstOrThrow({ where: { shop, trackerId: seeded.longTrackerId }, orderBy: [{ at: "desc" }, { id: "desc" }], skip: 24 });
  return {
    charges: encodeCursor({ values: [charge.runLocalDate, charge.createdAt], id: charge.id }),
    trackers: encodeCursor({ values: [tracker.nextActionAt], id: tracker.id }),
    events: encodeCursor({ values: [event.at], id: event.id }),
  };
}

async function benchProvider(provider: DatabaseProvider, requests: number) {
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const database: TestDatabase = await createEmptyDatabase(provider, {
    name: `bench_pages_${stamp}`,
    serverUrl: provider === "sqlite" ? undefined : SERVER_URLS[provider],
    sqliteDirectory: path.join(os.tmpdir(), "billing-bench"),
  });
  let simulator: StoreSimulator | undefined;
  let app: RunningAppServer | undefined;
  let prisma: PrismaClient | undefined;
  try {
    await applyMigrations(database.target, readMigrations(migrationsDirectory(provider)));
    simulator = await startStoreSimulator({ apiKey: API_KEY, apiSecret: API_SECRET });
    simulator.upsertShop(PAGE_BENCH_SHOP, { ianaTimezone: PAGE_BENCH_TIME_ZONE, currencyCode: "USD", name: "Bench Pages" });
    app = await startBuiltApp({
      // The store simulator is refused in production; the bench measures the same build.
      NODE_ENV: "test",
      SHOPIFY_API_KEY: API_KEY,
      SHOPIFY_API_SECRET: API_SECRET,
      SHOPIFY_APP_URL: "https://billing-bench.test",
      DATABASE_URL: database.url,
      DIRECT_DATABASE_URL: "",
      SHOPIFY_STORE_SIMULATOR_URL: simulator.url,
    });
    // Install as Shopify admin does (token exchange, afterAuth), then seed.
    const install = await fetch(adminUrl(app.url, "/app/charges"), { headers: { "User-Agent": BROWSER_USER_AGENT } });
    if (install.status !== 200) throw new Error(`installing answered ${install.status}`);
    prisma = createPrismaClient(database.target);
    const seedStarted = performance.now();
    const seeded = await seedPageBenchShop(prisma, new Date());
    // What autovacuum would have done by now on a shop this size (statistics, visibility map).
    if (provider === "postgresql") await prisma.$executeRawUnsafe("VACUUM ANALYZE");
    // SQLite keeps no statistics until asked (`PRAGMA optimize`, which a long-lived installation runs).
    if (provider === "sqlite" && process.env.BENCH_SQLITE_ANALYZE !== "0") await prisma.$executeRawUnsafe("ANALYZE");
    if (provider === "mysql") for (const table of ["BillingAttempt", "DunningTracker", "DunningEvent", "Customer"]) await prisma.$executeRawUnsafe(`ANALYZE TABLE \`${table}\``);
    console.log(
      `[${provider}] seeded ${seeded.attempts.toLocaleString("en-US")} attempts, ${seeded.trackers.toLocaleString("en-US")} trackers (${seeded.openTrackers.toLocaleString("en-US")} open), ` +
        `${seeded.events.toLocaleString("en-US")} events, ${seeded.customers.toLocaleString("en-US")} customers in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
    );
    const cursors = await firstPageCursors(prisma, seeded);
    const results: PageResult[] = [];
    for (const [page, pathAndQuery] of scenarios(seeded, cursors)) results.push(await timePage(app.url, page, pathAndQuery, requests));
    return { provider, seeded, results };
  } finally {
    await prisma?.$disconnect();
    await app?.stop();
    await simulator?.close();
    await database.drop();
  }
}

function table(provider: string, results: PageResult[]): string {
  const pad = (text: string, width: number) => text.padEnd(width);
  const width = Math.max(...results.map((result) => result.page.length)) + 2;
  const lines = [`${pad(`${provider}: page`, width)}  p50 ms   p95 ms   max ms   HTML KB   targets (p95 <= ${TARGET_P95_MS} ms, HTML <= ${TARGET_HTML_KB} KB)`];
  for (const result of results) {
    const met = result.p95 <= TARGET_P95_MS && result.htmlKb <= TARGET_HTML_KB;
    lines.push(
      `${pad(result.page, width)}  ${result.p50.toFixed(1).padStart(6)}   ${result.p95.toFixed(1).padStart(6)}   ${result.max.toFixed(1).padStart(6)}   ${result.htmlKb.toFixed(1).padStart(7)}   ${met ? "met" : "MISSED"}`,
    );
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { providers: { type: "string" }, requests: { type: "string" }, json: { type: "string" } },
    strict: true,
  });
  if (!existsSync(path.join(root, "build", "server", "index.js"))) throw new Error("No build found: run `flock /tmp/remix-build.lock npx remix vite:build` first.");
  const providers = (values.providers ?? "postgresql").split(",").map((name) => name.trim()) as DatabaseProvider[];
  for (const provider of providers) if (!["sqlite", "postgresql", "mysql"].includes(provider)) throw new Error(`--providers: unknown "${provider}"`);
  const requests = Number(values.requests ?? 40);
  if (!Number.isInteger(requests) || requests < 5) throw new Error("--requests must be a whole number >= 5");
  const load = os.loadavg().map((value) => value.toFixed(2)).join(" ");
  console.log(`Admin pages benchmark ${new Date().toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"}, Node.js ${process.version}; load average ${load}\n`);
  const runs = [];
  for (const provider of providers) {
    const run = await benchProvider(provider, requests);
    runs.push(run);
    console.log(`\n${table(provider, run.results)}\n`);
  }
  console.log(`load average after: ${os.loadavg().map((value) => value.toFixed(2)).join(" ")}`);
  if (values.json) writeFileSync(values.json, JSON.stringify(runs, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
