/**
 * One measured billing run on one database provider: set up, bill every shop through
 * POST /api/billing/run as a scheduler would, wait for the webhooks, and read the numbers.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createPrismaClient, type PrismaClient } from "../app/db/client.server";
import { parseDatabaseUrl } from "../app/config/database-url";
import { SHOPIFY_API_VERSION } from "../app/shopify/api-version";
import { startStoreSimulator, type StoreSimulator } from "../simulator/store-simulator";
import { startBuiltApp, type RunningAppServer } from "../tools/built-app";
import { containerEnvironment } from "../tools/container-settings";
import { costsByOperation, minimumWorkBound, observedBound, workByShop, type Bound, type RateLimit } from "./bounds";
import {
  BENCH_API_KEY,
  BENCH_API_SECRET,
  BENCH_CRON_SECRET,
  benchShopDomains,
  createBenchDatabase,
  createDueContracts,
  installShops,
  migrate,
  type BenchProvider,
} from "./environment";
import {
  cpuSecondsOfCommand,
  machineCpuSeconds,
  postJson,
  processCpuSeconds,
  processPeakRssBytes,
  readAppMetrics,
  RequestTimeline,
  type OperationSpan,
} from "./measure";
import { appProfiler, summarizeProfile, type ProfileSummary } from "./profile";
import { measureShopPhases, type ShopPhases } from "./shop-phases";
import { runWebhookStorm, type StormResult } from "./webhook-storm";

export interface BenchOptions {
  shops: number;
  contracts: number;
  latencyMs: number;
  jitterMs: number;
  /** Points per second each shop's bucket refills. */
  restoreRate: number;
  /** BILLING_SHOP_CONCURRENCY for the app; undefined keeps the app's default. */
  shopConcurrency?: number;
  timeBudgetSeconds: number;
  /** Profile the app's CPU during the billing calls, then while it absorbs the remaining webhooks. */
  profile: boolean;
}

interface BillingRunAnswer {
  attempts: { sent: number; processing: number; succeeded: number; failed: number; rejected: number };
  shops: Record<string, number>;
  remainingShops: number;
  elapsedMs: number;
}

export interface ProviderResult {
  provider: BenchProvider;
  /** The commit checked out and when the build the app ran was made (others rebuild this checkout). */
  build: { commit: string; builtAt: string };
  billingCalls: number;
  /** The answers' `shops` counters, summed over the calls. */
  shopsTally: Record<string, number>;
  attemptsSent: number;
  attemptsSucceeded: number;
  runSeconds: number;
  untilWebhooksSeconds: number;
  limit: RateLimit;
  observedBound: Bound;
  minimumBound: Bound & { totalCalls: number };
  graphqlRequests: number;
  throttledAnswers: number;
  appShopifyCalls: Record<string, number>;
  costs: Array<{ operation: string; calls: number; meanPoints: number }>;
  databaseStatements: number;
  /** Of those, the ones made while the billing calls ran. */
  databaseStatementsDuringRun: number;
  webhooksProcessed: number;
  /** Of those, the ones absorbed before the last billing call answered. */
  webhooksDuringRun: number;
  /** Deliveries the simulator had to try again (no 2xx within its 5 s timeout), and duplicates the app recognised. */
  webhookRetries: number;
  webhookDuplicates: number;
  webhooksPerSecond: number;
  peakRssBytes: number;
  cpuSeconds: { appRun: number; appTotal: number; bench: number; database: number; machineBusy: number; machineCapacity: number };
  operations: OperationSpan[];
  shopPhases: ShopPhases;
  /** App CPU profiles of the billing calls' window and of the webhooks absorbed after it. */
  profiles?: { billingRun: ProfileSummary; webhooksAfterRun: ProfileSummary };
  /** Result webhooks sent straight at the app, `STORM_CONCURRENCY` at a time, after the run. */
  storm: StormResult;
  /** The machine's 1-minute load average when the provider's run started and ended. */
  loadAverage: { start: number; end: number };
}

const MAX_BILLING_CALLS = 100;
/** Webhook deliveries the simulator keeps in flight (its default); Shopify's own is not published. */
export const WEBHOOK_CONCURRENCY = 8;
/** The result-webhook phase: deliveries at once, and how many. */
export const STORM_CONCURRENCY = 32;
const STORM_DELIVERIES = 5_000;
/** Its database server's process name, for its CPU time. */
const DATABASE_PROCESS: Record<BenchProvider, string | undefined> = { sqlite: undefined, postgresql: "postgres", mysql: "mariadbd" };

/** The image's memory settings (Dockerfile ENV), with the profiler's preload when profiling. */
function memorySettings(profilerEnv: Record<string, string> | undefined): Record<string, string> {
  const { NODE_OPTIONS = "", MALLOC_ARENA_MAX } = containerEnvironment();
  const nodeOptions = [NODE_OPTIONS, profilerEnv?.NODE_OPTIONS ?? ""].join(" ").trim();
  return { ...profilerEnv, ...(MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX } : {}), NODE_OPTIONS: nodeOptions };
}

export async function benchProvider(provider: BenchProvider, options: BenchOptions): Promise<ProviderResult> {
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14) + `_${provider}`;
  const loadAtStart = os.loadavg()[0];
  const databaseProcess = DATABASE_PROCESS[provider];
  const databaseCpuSeconds = () => (databaseProcess ? cpuSecondsOfCommand(databaseProcess) : 0);
  const database = await createBenchDatabase(provider, stamp);
  let simulator: StoreSimulator | undefined;
  let app: RunningAppServer | undefined;
  let prisma: PrismaClient | undefined;
  const profileDirectory = options.profile ? mkdtempSync(path.join(os.tmpdir(), "billing-bench-profile-")) : undefined;
  const profiler = profileDirectory ? appProfiler(profileDirectory) : undefined;
  try {
    console.log(`[${provider}] database ${database.url.replace(/\/\/[^@/]*@/, "//")}: migrating`);
    migrate(database.url);
    simulator = await startStoreSimulator({ apiKey: BENCH_API_KEY, apiSecret: BENCH_API_SECRET, webhookConcurrency: WEBHOOK_CONCURRENCY });
    app = await startBuiltApp({
      // The store simulator is refused in production; the bench measures the same build.
      NODE_ENV: "test",
      SHOPIFY_API_KEY: BENCH_API_KEY,
      SHOPIFY_API_SECRET: BENCH_API_SECRET,
      SHOPIFY_APP_URL: "https://billing-bench.test",
      DATABASE_URL: database.url,
      DIRECT_DATABASE_URL: "",
      SHOPIFY_STORE_SIMULATOR_URL: simulator.url,
      CRON_SECRET: BENCH_CRON_SECRET,
      ...(options.shopConcurrency ? { BILLING_SHOP_CONCURRENCY: String(options.shopConcurrency) } : {}),
      ...memorySettings(profiler?.env),
    });
    const build = describeBuild();
    simulator.setAppUrl(app.url);
    const appPid = app.process.pid!;

    const shops = benchShopDomains(options.shops);
    for (const shop of shops) simulator.upsertShop(shop, { ianaTimezone: "UTC", currencyCode: "USD" });
    console.log(`[${provider}] installing ${shops.length} shops over HTTP`);
    await installShops(app.url, shops);

    // Installing set each shop's first run to its next 09:00 UTC; bill an hour after the last of them.
    prisma = createPrismaClient(parseDatabaseUrl(database.url));
    const { _max } = await prisma.billingSchedule.aggregate({ _max: { nextRunAt: true } });
    const now = new Date((_max.nextRunAt ?? new Date()).getTime() + 3600_000);
    simulator.clock.set(now);
    console.log(`[${provider}] creating ${options.contracts} due contracts per shop; billing clock ${now.toISOString()}`);
    createDueContracts(simulator, shops, options.contracts, now);

    const limit = await resetRateLimits(simulator, shops, options.restoreRate, options.latencyMs);
    simulator.setLatency({ latencyMs: options.latencyMs, jitterMs: options.jitterMs });

    const metricsBefore = await readAppMetrics(app.url, BENCH_CRON_SECRET);
    const cpuBefore = { app: processCpuSeconds(appPid), bench: process.cpuUsage(), database: databaseCpuSeconds(), machine: machineCpuSeconds() };
    profiler?.start(appPid);
    const startedAt = performance.now();
    const startedAtWall = Date.now();
    const timeline = new RequestTimeline(simulator, startedAt);
    timeline.start();

    const answers = await billUntilDone(app.url, now, options.timeBudgetSeconds, provider);
    const runEndedAt = performance.now();
    const appCpuAtRunEnd = processCpuSeconds(appPid);
    const metricsAtRunEnd = await readAppMetrics(app.url, BENCH_CRON_SECRET);
    // Two profiles: the billing calls (with the webhooks that arrive meanwhile), then webhooks alone.
    const runProfile = await profiler?.stop(appPid);
    profiler?.start(appPid);

    await simulator.waitForIdle();
    const webhooksEndedAt = performance.now();
    timeline.stop();
    const cpuAfter = { app: processCpuSeconds(appPid), bench: process.cpuUsage(cpuBefore.bench), database: databaseCpuSeconds(), machine: machineCpuSeconds() };
    const webhooksProfile = await profiler?.stop(appPid);
    const metricsAfter = await readAppMetrics(app.url, BENCH_CRON_SECRET);

    const runRequests = simulator.requests.slice(timeline.firstRequestIndex);
    const work = workByShop(runRequests);
    const attemptsSent = answers.reduce((sum, answer) => sum + answer.attempts.sent, 0);
    const attemptsSucceeded = await prisma.billingAttempt.count({ where: { status: "SUCCEEDED" } });
    if (attemptsSucceeded !== attemptsSent) console.warn(`[${provider}] ${attemptsSent} attempts sent but ${attemptsSucceeded} SUCCEEDED`);
    const undelivered = simulator.webhookDeliveries.filter((delivery) => delivery.state !== "delivered").length;
    if (undelivered > 0) console.warn(`[${provider}] ${undelivered} webhook deliveries were not delivered`);
    const webhooksProcessed = (metricsAfter.webhooks.processed ?? 0) - (metricsBefore.webhooks.processed ?? 0);
    const firstWebhookAt = timeline.firstWebhookDeliveredAt ?? startedAt;
    const shopifyCallsDelta = Object.fromEntries(
      Object.entries(metricsAfter.shopifyCalls).map(([outcome, count]) => [outcome, count - (metricsBefore.shopifyCalls[outcome] ?? 0)]),
    );
    const contractsByShop = new Map(shops.map((shop) => [shop, options.contracts]));
    const shopPhases = await measureShopPhases(prisma, startedAtWall, timeline.shopSpans());
    // Result webhooks at Shopify's pace during a big run, straight at the app.
    console.log(`[${provider}] result webhooks: ${STORM_DELIVERIES} at concurrency ${STORM_CONCURRENCY}`);
    const storm = await runWebhookStorm({
      appUrl: app.url,
      prisma,
      apiSecret: BENCH_API_SECRET,
      shop: shops[0],
      count: STORM_DELIVERIES,
      concurrency: STORM_CONCURRENCY,
      appPid,
    });
    const vmHwm = processPeakRssBytes(appPid);

    await prisma.$disconnect();
    prisma = undefined;
    await app.stop();
    console.log(`[${provider}] the app's output is in ${saveAppOutput(app, stamp)}`);

    return {
      provider,
      build,
      billingCalls: answers.length,
      shopsTally: sumCounters(answers.map((answer) => answer.shops)),
      attemptsSent,
      attemptsSucceeded,
      runSeconds: (runEndedAt - startedAt) / 1000,
      untilWebhooksSeconds: (webhooksEndedAt - startedAt) / 1000,
      limit,
      observedBound: observedBound(work, limit),
      minimumBound: minimumWorkBound(work, contractsByShop, limit),
      graphqlRequests: [...work.values()].reduce((sum, shop) => sum + shop.calls, 0),
      throttledAnswers: [...work.values()].reduce((sum, shop) => sum + shop.unexecuted, 0),
      appShopifyCalls: shopifyCallsDelta,
      costs: costsByOperation(work),
      databaseStatements: metricsAfter.databaseStatements - metricsBefore.databaseStatements,
      databaseStatementsDuringRun: metricsAtRunEnd.databaseStatements - metricsBefore.databaseStatements,
      webhooksProcessed,
      webhookRetries: simulator.webhookDeliveries.reduce((sum, delivery) => sum + Math.max(0, delivery.attempts - 1), 0),
      webhookDuplicates: (metricsAfter.webhooks.duplicate ?? 0) - (metricsBefore.webhooks.duplicate ?? 0),
      webhooksDuringRun: (metricsAtRunEnd.webhooks.processed ?? 0) - (metricsBefore.webhooks.processed ?? 0),
      webhooksPerSecond: webhooksProcessed / Math.max(0.001, (webhooksEndedAt - firstWebhookAt) / 1000),
      peakRssBytes: Math.max(metricsAfter.peakRssBytes, Number.isNaN(vmHwm) ? 0 : vmHwm),
      cpuSeconds: {
        appRun: appCpuAtRunEnd - cpuBefore.app,
        appTotal: cpuAfter.app - cpuBefore.app,
        bench: (cpuAfter.bench.user + cpuAfter.bench.system) / 1e6,
        database: cpuAfter.database - cpuBefore.database,
        machineBusy: cpuAfter.machine.busy - cpuBefore.machine.busy,
        machineCapacity: cpuAfter.machine.total - cpuBefore.machine.total,
      },
      operations: timeline.spans(),
      shopPhases,
      storm,
      loadAverage: { start: loadAtStart, end: os.loadavg()[0] },
      profiles:
        runProfile && webhooksProfile
          ? { billingRun: summarizeProfile(runProfile), webhooksAfterRun: summarizeProfile(webhooksProfile) }
          : undefined,
    };
  } catch (error) {
    if (app) console.error(`[${provider}] the app's last output (all of it in ${saveAppOutput(app, stamp)}):\n${app.output().slice(-3000)}`);
    throw error;
  } finally {
    await prisma?.$disconnect();
    await app?.stop();
    await simulator?.close();
    await database.drop();
    if (profileDirectory) rmSync(profileDirectory, { recursive: true, force: true });
  }
}

/** Calls the billing endpoint as a scheduler would, until no shop is left due. */
async function billUntilDone(appUrl: string, now: Date, timeBudgetSeconds: number, provider: BenchProvider): Promise<BillingRunAnswer[]> {
  console.log(`[${provider}] billing: POST /api/billing/run until remainingShops is 0`);
  const answers: BillingRunAnswer[] = [];
  for (;;) {
    const { status, json } = await postJson<BillingRunAnswer>(
      `${appUrl}/api/billing/run`,
      { Authorization: `Bearer ${BENCH_CRON_SECRET}` },
      { now: now.toISOString(), timeBudgetSeconds },
    );
    if (status !== 200) throw new Error(`POST /api/billing/run answered ${status}: ${JSON.stringify(json)}`);
    answers.push(json);
    console.log(`[${provider}]   call ${answers.length}: ${json.attempts.sent} attempts sent, shops ${JSON.stringify(json.shops)}, ${json.elapsedMs} ms`);
    if (json.remainingShops === 0) return answers;
    if (answers.length >= MAX_BILLING_CALLS) throw new Error(`still ${json.remainingShops} shops due after ${answers.length} calls`);
  }
}

/**
 * Reads the bucket size the simulator gives a shop (its default: Shopify's standard plan), then
 * gives every shop a full bucket of that size at `restoreRate` (installing spent a few points).
 */
async function resetRateLimits(simulator: StoreSimulator, shops: readonly string[], restoreRate: number, latencyMs: number): Promise<RateLimit> {
  const [probeShop] = shops;
  const response = await fetch(`${simulator.url}/${probeShop}/admin/api/${SHOPIFY_API_VERSION}/graphql.json`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": simulator.issuedAccessTokens(probeShop)[0] },
    body: JSON.stringify({ query: "{ shop { name } }" }),
  });
  const body = (await response.json()) as { extensions?: { cost?: { throttleStatus?: { maximumAvailable: number; restoreRate: number } } } };
  const bucket = body.extensions?.cost?.throttleStatus;
  if (!bucket) throw new Error(`the simulator reported no throttle status: ${JSON.stringify(body)}`);
  for (const shop of shops) simulator.setRateLimit(shop, { bucketSize: bucket.maximumAvailable, restoreRate });
  return { bucketSize: bucket.maximumAvailable, restoreRate, latencyMs };
}

/** Keeps what the app printed (warnings, deferred shops) for a look after the run. */
function saveAppOutput(app: RunningAppServer, stamp: string): string {
  const file = path.join(os.tmpdir(), "billing-bench", `bench_${stamp}-app.log`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, app.output());
  return file;
}

function describeBuild(): { commit: string; builtAt: string } {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const git = spawnSync("git", ["describe", "--always", "--dirty"], { cwd: root, encoding: "utf8" });
  return { commit: git.stdout?.trim() || "unknown", builtAt: statSync(path.join(root, "build", "server", "index.js")).mtime.toISOString() };
}

function sumCounters(counters: Array<Record<string, number>>): Record<string, number> {
  const total: Record<string, number> = {};
  for (const counter of counters) for (const [key, value] of Object.entries(counter)) total[key] = (total[key] ?? 0) + value;
  return total;
}
