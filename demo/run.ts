/**
 * `npm run demo`: a month of subscription billing, offline, in about a minute. Sets up the
 * embedded SQLite database, builds the app if needed, starts it against the store simulator
 * (a fake Shopify with a simulated clock; real runs talk to Shopify), installs demo shops
 * around the date line, gives them a few hundred subscribers, then plays the scheduler: an
 * hourly call of POST /api/billing/run through `--days N` (default 30) simulated days, with
 * an outage in the middle. Some cards fail: dunning retries them, emails the customers,
 * waits for new cards and applies each shop's final action. Prints a line per day, the
 * totals, the dunning outcome and the invariants it checked, and exits (`--keep-running`
 * leaves the app up for the admin page until Ctrl-C).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createPrismaClient } from "../app/db/client.server";
import { parseDatabaseUrl } from "../app/config/database-url";
import { DEFAULT_DUNNING_POLICY } from "../app/dunning/policy";
import { METRIC_PREFIX } from "../app/observability/metrics.server";
import { startStoreSimulator } from "../simulator/store-simulator";
import {
  adminUrl,
  clearEarlierDemoRuns,
  DEMO_API_KEY,
  DEMO_API_SECRET,
  DEMO_CRON_SECRET,
  installFromAdmin,
  saveDunningPolicy,
  startDemoApp,
  startScheduleAt,
} from "./app";
import { buildIfStale } from "../tools/build-if-stale";
import { parsePrometheusText, sumBy, total } from "../tools/prometheus-text";
import { checkDunning, formatDunning, gatherDunningFacts } from "./dunning";
import { formatSuggestion } from "./insights";
import { formatReconciliation } from "./reconciliation";
import { checkInvariants, DAY_HEADER, formatDay, formatTotals, utcMinute } from "./report";
import { DAY_MS, outageInTheMiddle, runScheduler, type SchedulerDay } from "./scheduler";
import { createDemoContracts, DEMO_SEED, DEMO_SHOPS } from "./shops";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DEMO_DATABASE_URL = process.env.DEMO_DATABASE_URL || "file:./prisma/demo.sqlite";

function parseArguments(argv: string[]): { days: number; keepRunning: boolean; start?: Date } {
  const daysAt = argv.indexOf("--days");
  const days = daysAt === -1 ? 30 : Number(argv[daysAt + 1]);
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new Error("--days takes a whole number of days from 1 to 366");
  const startAt = argv.indexOf("--start");
  const startDate = startAt === -1 ? undefined : argv[startAt + 1];
  if (startDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(startDate)) throw new Error("--start takes a date such as 2026-01-14");
  return { days, keepRunning: argv.includes("--keep-running"), start: startDate ? new Date(`${startDate}T00:00:00Z`) : undefined };
}

function setUpDatabase(): void {
  console.log("== Setting up the SQLite database (npm run setup)");
  const result = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "scripts", "setup.ts")], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, APP_ENV_FILE: "", DATABASE_URL: DEMO_DATABASE_URL, DIRECT_DATABASE_URL: "" },
  });
  if (result.status !== 0) throw new Error("npm run setup failed");
}

async function main(): Promise<void> {
  const { days, keepRunning, start: requestedStart } = parseArguments(process.argv.slice(2));
  setUpDatabase();
  buildIfStale();
  const prisma = createPrismaClient(parseDatabaseUrl(DEMO_DATABASE_URL, root));
  const cleared = await clearEarlierDemoRuns(prisma);
  if (cleared > 0) console.log(`  cleared ${cleared} rows an earlier demo run left in the demo database`);

  // The simulated month starts at today's midnight UTC (the dates look like this month's), or on --start.
  const start = requestedStart ?? new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
  console.log(`\n== Starting the store simulator (a fake Shopify Admin API, its clock set to ${utcMinute(start)}) and the app`);
  const simulator = await startStoreSimulator({ apiKey: DEMO_API_KEY, apiSecret: DEMO_API_SECRET, startTime: start });
  for (const { domain, name, ianaTimezone, currencyCode } of DEMO_SHOPS) simulator.upsertShop(domain, { name, ianaTimezone, currencyCode });
  const app = await startDemoApp(Number(process.env.PORT) || undefined, {
    // The store simulator is refused in production.
    NODE_ENV: "test",
    SHOPIFY_API_KEY: DEMO_API_KEY,
    SHOPIFY_API_SECRET: DEMO_API_SECRET,
    DATABASE_URL: DEMO_DATABASE_URL,
    DIRECT_DATABASE_URL: "",
    SHOPIFY_STORE_SIMULATOR_URL: simulator.url,
    CRON_SECRET: DEMO_CRON_SECRET,
    // For people: the app's lines are shown when something fails.
    LOG_FORMAT: process.env.LOG_FORMAT || "pretty",
  });
  simulator.setAppUrl(app.url);
  const shops = DEMO_SHOPS.map((shop) => shop.domain);
  let checksPassed = false;

  try {
    console.log("\n== Installing the demo shops (Shopify admin opens the app: token exchange, afterAuth)");
    for (const shop of DEMO_SHOPS) {
      const schedule = await installFromAdmin(app.url, shop.domain);
      await startScheduleAt(prisma, shop.domain, start);
      // The merchant's dunning settings: saved by two of them, the defaults for the others.
      if (shop.finalAction) await saveDunningPolicy(prisma, shop.domain, shop.finalAction);
      const finalAction = shop.finalAction ?? `${DEFAULT_DUNNING_POLICY.payment.finalAction} (default)`;
      console.log(`  ${shop.name.padEnd(18)} billed daily at ${schedule}; when payment retries run out: ${finalAction}`);
    }
    const contracts = createDemoContracts(simulator, start);
    const { payment, inventory } = DEFAULT_DUNNING_POLICY;
    console.log(
      `  ${contracts.total} subscription contracts (${contracts.weekly} weekly, ${contracts.monthly} monthly; ` +
        `${contracts.failingCards} customers with cards that fail, ${contracts.scripted} of them scripted to show each dunning path; seed ${DEMO_SEED})`,
    );
    console.log(
      `  Dunning: payment retries after ${payment.delaysDays.join(", ")} days, out-of-stock retries after ${inventory.delaysDays.join(", ")} days (then ${inventory.finalAction}); ` +
        `expired cards wait for the customer (${contracts.cardUpdates.length} will update theirs)`,
    );

    console.log("\n== Admin pages while the demo runs (outside Shopify admin; token valid 2 hours):");
    for (const shop of DEMO_SHOPS) console.log(`  ${shop.name}: ${adminUrl(app.url, shop.domain)}`);

    const outage = outageInTheMiddle(start, days);
    console.log(`\n== ${days} simulated days: POST /api/billing/run every simulated hour (outcomes counted when they complete)`);
    if (outage) console.log(`  The scheduler is down from ${utcMinute(outage.from)} to ${utcMinute(outage.to)}: the next call catches up.`);
    console.log(DAY_HEADER);
    const startedAt = Date.now();
    const dayTallies: SchedulerDay[] = [];
    const { calls, cardUpdates } = await runScheduler({
      simulator,
      appUrl: app.url,
      cronSecret: DEMO_CRON_SECRET,
      start,
      days,
      outage,
      cardUpdates: contracts.cardUpdates,
      onDayEnd: async (day) => {
        dayTallies.push(day);
        console.log(await formatDay(day, simulator, prisma, shops));
      },
    });
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);

    console.log(`\n== Totals: ${days} day${days === 1 ? "" : "s"} in ${seconds} s, ${calls} scheduler calls`);
    for (const line of formatTotals(simulator, shops)) console.log(line);
    const dunning = await gatherDunningFacts(simulator, prisma, shops, cardUpdates);
    console.log("\n== Dunning: failed payments followed up (retries, payment-update emails, final actions)");
    for (const line of formatDunning(dunning, dayTallies, new Map(DEMO_SHOPS.map((shop) => [shop.domain, shop.name])))) console.log(line);
    const lastCall = new Date(start.getTime() + days * DAY_MS - 3_600_000);
    const checks = [...(await checkInvariants(simulator, prisma, shops, lastCall, days)), ...checkDunning(dunning, lastCall)];
    console.log("\n== Checks");
    for (const check of checks) console.log(`  ${check.status.padEnd(4)} ${check.line}`);
    checksPassed = checks.every((check) => check.status !== "FAIL");

    const health = await (await fetch(`${app.url}/healthz`)).json();
    console.log(`  Health: ${JSON.stringify(health)}`);
    const exposition = await (await fetch(`${app.url}/api/metrics`, { headers: { Authorization: `Bearer ${DEMO_CRON_SECRET}` } })).text();
    const metrics = parsePrometheusText(exposition);
    const metric = (name: string) => `${METRIC_PREFIX}${name}`;
    console.log(
      `  App metrics: Shopify calls ${JSON.stringify(sumBy(metrics, metric("shopify_calls_total"), "outcome"))}, ` +
        `webhooks ${JSON.stringify(sumBy(metrics, metric("webhooks_total"), "result"))}, ` +
        `${total(metrics, metric("database_statements_total"))} database statements (GET /api/metrics)`,
    );

    for (const line of await formatSuggestion(prisma, DEMO_SHOPS, new Date(start.getTime() + days * DAY_MS))) console.log(line);

    console.log("\n== Charge reconciliation: each shop day checked by the app against the orders Shopify created");
    for (const line of await formatReconciliation(prisma, DEMO_SHOPS)) console.log(line);

    if (keepRunning) {
      console.log("\nThe app keeps running for the admin pages above; press Ctrl-C to stop.");
      await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
    }
  } catch (error) {
    console.error(app.output());
    throw error;
  } finally {
    await prisma.$disconnect();
    await app.stop();
    await simulator.close();
  }
  if (!checksPassed) throw new Error("an invariant check failed (see FAIL above)");
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
