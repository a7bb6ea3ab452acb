/**
 * What `npm run bench` sets up before it measures: a fresh database per run, the built app as
 * its own process, the store simulator in the bench process, shops installed over HTTP the
 * way Shopify admin installs them, and contracts that are due at the simulated billing time.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generatedClientsDirectory } from "../app/db/client.server";
import type { DatabaseProvider } from "../app/config/database-url";
import { signSessionToken } from "../simulator/session-token";
import type { StoreSimulator } from "../simulator/store-simulator";
import { createEmptyDatabase, type TestDatabase } from "../tools/scratch-databases";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const BENCH_API_KEY = "bench-api-key";
export const BENCH_API_SECRET = "bench-api-secret-not-for-production";
export const BENCH_CRON_SECRET = "bench-cron-secret-0123456789abcdef0123456789";
// shopify-app-remix answers bot user agents with 410; the installs present as Chrome.
const BROWSER_USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
const DEFAULT_SERVER_URLS = {
  postgresql: () => process.env.BENCH_POSTGRESQL_URL || "postgresql://root@127.0.0.1:5432/test",
  mysql: () => process.env.BENCH_MYSQL_URL || "mysql://root@127.0.0.1:3306/test",
};
export const BENCH_PROVIDERS = ["sqlite", "postgresql", "mysql"] as const satisfies readonly DatabaseProvider[];
export type BenchProvider = (typeof BENCH_PROVIDERS)[number];

export type BenchDatabase = TestDatabase & { provider: BenchProvider };

/** A new, empty database for one run: `bench_<stamp>` on the PostgreSQL or MySQL server, or a temp SQLite file. */
export async function createBenchDatabase(provider: BenchProvider, stamp: string): Promise<BenchDatabase> {
  const database = await createEmptyDatabase(provider, {
    name: `bench_${stamp}`,
    serverUrl: provider === "sqlite" ? undefined : DEFAULT_SERVER_URLS[provider](),
    sqliteDirectory: path.join(os.tmpdir(), "billing-bench"),
  });
  return { ...database, provider };
}

function run(args: string[], env: Record<string, string> = {}): void {
  const result = spawnSync(process.execPath, ["--import", "tsx", ...args], { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`${args.join(" ")} failed (exit ${result.status})`);
}

/** Applies the committed migrations, as a release step would (`npm run setup -- --migrate-only`). */
export function migrate(databaseUrl: string): void {
  run([path.join(root, "scripts", "setup.ts"), "--migrate-only"], { DATABASE_URL: databaseUrl, DIRECT_DATABASE_URL: "" });
}

/**
 * Refuses to measure without a build: others build in this checkout, so the bench never
 * builds itself (that would race their builds); build under the shared lock first.
 */
export function checkPrerequisites(providers: readonly BenchProvider[]): void {
  if (!existsSync(path.join(root, "build", "server", "index.js"))) {
    throw new Error("No build found: run `flock /tmp/remix-build.lock npx remix vite:build` first.");
  }
  const missing = providers.filter((provider) => !existsSync(path.join(generatedClientsDirectory(), provider, "index.js")));
  if (missing.length > 0) {
    console.log(`Generating the Prisma client(s) for ${missing.join(", ")}`);
    run([path.join(root, "scripts", "setup.ts"), "--all-providers", "--skip-migrate"]);
  }
}

/** bench-001.myshopify.com, bench-002.myshopify.com, ... */
export function benchShopDomains(count: number): string[] {
  const width = Math.max(3, String(count).length);
  return Array.from({ length: count }, (_, index) => `bench-${String(index + 1).padStart(width, "0")}.myshopify.com`);
}

/**
 * Opens the app's embedded admin page for each shop with a fresh session token, as Shopify
 * admin does on install: token exchange, offline session stored, afterAuth creates the schedule.
 */
export async function installShops(appUrl: string, shops: readonly string[], concurrency = 8): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < shops.length) {
      const shop = shops[next++];
      const url = new URL("/app", appUrl);
      url.searchParams.set("embedded", "1");
      url.searchParams.set("shop", shop);
      url.searchParams.set("host", Buffer.from(`admin.shopify.com/store/${shop.split(".")[0]}`).toString("base64"));
      url.searchParams.set("id_token", signSessionToken({ shop, apiKey: BENCH_API_KEY, apiSecret: BENCH_API_SECRET, expiresInSeconds: 3600 }));
      const response = await fetch(url, { headers: { "User-Agent": BROWSER_USER_AGENT } });
      await response.text();
      if (response.status !== 200) throw new Error(`installing ${shop} failed: HTTP ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/**
 * `perShop` monthly contracts per shop whose first cycle is expected an hour before `now`,
 * each with its own customer and a card that succeeds: every one is due at this run.
 */
export function createDueContracts(simulator: StoreSimulator, shops: readonly string[], perShop: number, now: Date): void {
  const anHourAgo = new Date(now.getTime() - 3600_000);
  const monthAgo = new Date(now.getTime() - 30 * 24 * 3600_000);
  for (const shop of shops) {
    for (let index = 0; index < perShop; index++) {
      simulator.createContract(shop, { interval: "MONTH", nextBillingDate: anHourAgo, amount: "25.00", createdAt: monthAgo });
    }
  }
}
