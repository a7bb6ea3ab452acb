import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScheduleAt } from "../../demo/app";
import type { BillingRunSummary } from "../../app/cron/billing-run.server";
import type { DatabaseProvider } from "../../app/config/database-url";
import type { PrismaClient } from "../../app/db/client.server";
import { DEFAULT_DUNNING_POLICY, FinalAction, parseDunningPolicy, policyFields } from "../../app/dunning/policy";
import { localDateAt, scheduledInstant } from "../../app/time/due-time";
import { startStoreSimulator, type CreateContractInput, type StoreSimulator } from "../../simulator/store-simulator";
import { startBuiltApp, type RunningAppServer } from "../../tools/built-app";
import { connectPrisma, createMigratedDatabase, type TestDatabase } from "../../tools/scratch-databases";
import { whenNoBuildRuns } from "../support/build-lock";
import { testProviders } from "../support/providers";
import { startRoundRobinProxy, type RoundRobinProxy } from "../support/round-robin-proxy";
import {
  BROWSER_USER_AGENT,
  embeddedAdminRequest,
  TEST_API_KEY,
  TEST_API_SECRET,
  TEST_CRON_SECRET,
  testEnvironment,
} from "../support/shopify-requests";
import { within } from "../support/waiting";

// The production shape (docs/operations.md, "Scale-out"): three app processes on one
// database, a scheduler whose calls land on any of them, Shopify's webhooks spread over them
// by a load balancer, and one process killed with SIGKILL in the middle of a shop's run and
// of its dunning. Every cycle must still be charged once, every attempt recorded, and the
// dead process's leases must run out before anyone else takes its work.

const HOUR = 3600_000;
/** A fixed midnight UTC, weeks from the shops' daylight-saving changes. */
const START = new Date("2026-01-14T00:00:00Z");
/**
 * Hourly steps of the simulated clock: every shop's billing hour comes twice, and the dunning
 * its failures start (a retry a day later, then the final action) is done.
 */
const STEPS = 52;
const END = new Date(START.getTime() + (STEPS - 1) * HOUR);
/** Billing hours (local) fall at 20:00, 00:00, 09:00 and 10:00 UTC. */
const SHOPS = [
  { domain: "replicas-auckland.myshopify.com", ianaTimezone: "Pacific/Auckland", billingHour: 9 },
  { domain: "replicas-tokyo.myshopify.com", ianaTimezone: "Asia/Tokyo", billingHour: 9 },
  { domain: "replicas-london.myshopify.com", ianaTimezone: "Europe/London", billingHour: 9 },
  { domain: "replicas-los-angeles.myshopify.com", ianaTimezone: "America/Los_Angeles", billingHour: 2 },
];
const CONTRACTS_PER_SHOP = 250;
/**
 * Los Angeles's second billing hour (02:00 there), when London's first retries (a day after
 * its 09:00 charges failed) are due too: the process dies holding a shop and trackers.
 */
const KILL_SHOP = "replicas-los-angeles.myshopify.com";
const KILL_AT = new Date("2026-01-15T10:00:00Z");
/** The smallest lease the app accepts: the dead process's work waits this long. */
const LEASE_SECONDS = 10;
/** Each call's own budget (the body's timeBudgetSeconds): with the simulator's latency, a shop's run takes several calls. */
const TIME_BUDGET_SECONDS = 1;
const CALLS_PER_REPLICA = 2;
/** A step whose work is still due after this much real time fails, naming what was left. */
const STEP_TIMEOUT_MS = 45_000;

/** What each customer's card does, and how often they are billed. */
type Cohort = "pays" | "declinedOnce" | "neverPays" | "expiredCard";
const COHORTS: Record<Cohort, Pick<CreateContractInput, "interval" | "paymentMethodOutcomes" | "defaultOutcome">> = {
  pays: { interval: "DAY" },
  // Soft decline at the first charge, paid by the retry a day later (and every later cycle).
  declinedOnce: { interval: "DAY", paymentMethodOutcomes: [{ error: "INSUFFICIENT_FUNDS" }] },
  // Declined again by the retry; then the cycle is skipped (the shops' policy).
  neverPays: { interval: "WEEK", defaultOutcome: { error: "CARD_DECLINED" } },
  // Hard decline: an email asks for a new card, none comes, the cycle is skipped at the end of the wait.
  expiredCard: { interval: "WEEK", defaultOutcome: { error: "EXPIRED_CARD" } },
};
const cohortOf = (index: number): Cohort =>
  index % 20 === 3 ? "declinedOnce" : index % 20 === 6 ? "neverPays" : index % 40 === 9 ? "expiredCard" : "pays";

/** One retry a day later, then skip the cycle: dunning runs its whole course within the span. */
const SHOP_POLICY = (() => {
  const parsed = parseDunningPolicy(policyFields({ ...DEFAULT_DUNNING_POLICY, payment: { retryCount: 1, delaysDays: [1], finalAction: FinalAction.Skip } }));
  if (!parsed.ok) throw new Error(`the test's dunning policy is invalid: ${JSON.stringify(parsed.errors)}`);
  return policyFields(parsed.policy);
})();

interface Replica {
  name: string;
  app: RunningAppServer;
  /** Billing calls the scheduler made to it. */
  calls: number;
}

interface CallResult {
  replica: Replica;
  summary?: BillingRunSummary;
  failure?: string;
}

/** A lease the killed process held when it died. */
interface DeadLease {
  table: "BillingSchedule" | "DunningTracker";
  id: number;
  shop: string;
  owner: string;
  expiresAt: Date;
}

const OPEN_STATUSES = ["OPEN", "WAITING_FOR_PAYMENT_METHOD", "ACTION_REQUIRED"];

// Only a database server can take several processes; SQLite is one process per file.
const providers = testProviders().filter((provider): provider is Exclude<DatabaseProvider, "sqlite"> => provider !== "sqlite");

if (providers.length === 0) {
  describe("three replicas", () => {
    it.skip("need TEST_POSTGRESQL_URL or TEST_MYSQL_URL (SQLite is one process per file)", () => undefined);
  });
}

describe.each(providers)("%s: three replicas of the built app on one database", (provider) => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let simulator: StoreSimulator;
  let proxy: RoundRobinProxy;
  let env: Record<string, string>;
  const replicas: Replica[] = [];
  /** The replicas taking calls and webhooks now. */
  let live: Replica[] = [];
  const contracts: Array<{ shop: string; contractId: string; cohort: Cohort }> = [];

  // What the run saw, checked by the tests below it.
  const results: CallResult[] = [];
  let victim: Replica | undefined;
  let deadLeases: DeadLease[] = [];
  /** Leases of the dead process found taken by another before they expired. */
  const leasesTakenEarly: string[] = [];
  let takeover: { lastBilledLocalDate: string | null; leaseOwner: string | null; lastRunStartedAt: Date | null } | undefined;
  /** Set once the run below went to its end: the checks after it read what it left. */
  let runCompleted = false;

  beforeAll(async () => {
    database = await createMigratedDatabase(provider);
    prisma = connectPrisma(database);
    simulator = await startStoreSimulator({
      apiKey: TEST_API_KEY,
      apiSecret: TEST_API_SECRET,
      startTime: START,
      attemptProcessingMs: 2,
      // A call lists a shop's contracts and starts at most two rounds of four batches (a cycles
      // query and a charge each) before its budget is spent: a run of 250 contracts (ten
      // batches) takes two calls.
      latencyMs: 200,
      latencyJitterMs: 50,
      // A Plus plan's bucket: the latency, not the rate limit, makes runs take several calls.
      bucketSize: 10_000,
      restoreRate: 1_000,
      // Shopify tries a delivery 8 times (over hours); here within a second, so the dead
      // process's unanswered deliveries reach another replica.
      webhookMaxAttempts: 8,
    });
    proxy = await startRoundRobinProxy();
    simulator.setAppUrl(proxy.url);
    env = { ...testEnvironment(database, simulator), BILLING_LEASE_SECONDS: String(LEASE_SECONDS) };
    await whenNoBuildRuns();
    const apps = await Promise.all(["A", "B", "C"].map(() => startBuiltApp(env)));
    apps.forEach((app, index) => replicas.push({ name: "ABC"[index], app, calls: 0 }));
    live = [...replicas];
    proxy.setBackends(live.map((replica) => replica.app.url));

    for (const shop of SHOPS) {
      simulator.upsertShop(shop.domain, { ianaTimezone: shop.ianaTimezone });
      // Shopify admin opens the app through the load balancer: each shop installs on another replica.
      const page = new URL(embeddedAdminRequest("/app", shop.domain).url);
      const response = await fetch(`${proxy.url}${page.pathname}${page.search}`, { headers: { "User-Agent": BROWSER_USER_AGENT } });
      expect(response.status, `installing ${shop.domain}`).toBe(200);
      await prisma.billingSchedule.update({ where: { shop: shop.domain }, data: { billingHour: shop.billingHour } });
      await startScheduleAt(prisma, shop.domain, START);
      await prisma.dunningPolicy.upsert({ where: { shop: shop.domain }, create: { shop: shop.domain, ...SHOP_POLICY }, update: SHOP_POLICY });
      for (let index = 0; index < CONTRACTS_PER_SHOP; index++) {
        const cohort = cohortOf(index);
        const { contractId } = simulator.createContract(shop.domain, {
          ...COHORTS[cohort],
          nextBillingDate: new Date(START.getTime() + HOUR),
          amount: "7.50",
        });
        contracts.push({ shop: shop.domain, contractId, cohort });
      }
    }
  });

  afterAll(async () => {
    if (!runCompleted) {
      // What each process printed last, for the failure (passing runs stay quiet).
      for (const replica of replicas) console.log(`--- replica ${replica.name}:\n${replica.app.output().split("\n").slice(-40).join("\n")}`);
    }
    await Promise.all(replicas.map((replica) => replica.app.stop()));
    await proxy?.close();
    await simulator?.close();
    await prisma?.$disconnect();
    await database?.drop();
  });

  async function callBilling(replica: Replica, now: Date): Promise<CallResult> {
    replica.calls++;
    let result: CallResult;
    try {
      const response = await fetch(`${replica.app.url}/api/billing/run`, {
        method: "POST",
        headers: { Authorization: `Bearer ${TEST_CRON_SECRET}`, "Content-Type": "application/json" },
        body: JSON.stringify({ now: now.toISOString(), timeBudgetSeconds: TIME_BUDGET_SECONDS }),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      result = response.status === 200 ? { replica, summary: JSON.parse(text) as BillingRunSummary } : { replica, failure: `${response.status} ${text.slice(0, 300)}` };
    } catch (error) {
      result = { replica, failure: String((error as Error).cause ?? error) };
    }
    results.push(result);
    return result;
  }

  const leaseOwnedBy = (replica: Replica) => ({ contains: `:${replica.app.process.pid}:` });

  /** After each round: no lease of the dead process was taken while it still ran. */
  async function checkDeadLeasesHeld(): Promise<void> {
    if (deadLeases.length === 0) return;
    const [schedules, trackers] = await Promise.all([
      prisma.billingSchedule.findMany({ where: { id: { in: deadLeases.filter((l) => l.table === "BillingSchedule").map((l) => l.id) } } }),
      prisma.dunningTracker.findMany({ where: { id: { in: deadLeases.filter((l) => l.table === "DunningTracker").map((l) => l.id) } } }),
    ]);
    // Whatever the rows show was written before now: a lease still unexpired now was so then.
    const readBy = Date.now();
    for (const lease of deadLeases) {
      const row = (lease.table === "BillingSchedule" ? schedules : trackers).find((candidate) => candidate.id === lease.id);
      // Closing a tracker (a result webhook needs no lease) clears its lease: nobody can claim a closed tracker.
      const closedMeanwhile = lease.table === "DunningTracker" && row?.leaseOwner === null && !OPEN_STATUSES.includes((row as { status: string }).status);
      if (lease.expiresAt.getTime() > readBy && row?.leaseOwner !== lease.owner && !closedMeanwhile) {
        leasesTakenEarly.push(`${lease.table} ${lease.id} (${lease.shop}) held by ${row?.leaseOwner ?? "nobody"} ${lease.expiresAt.getTime() - readBy} ms before the lease expired`);
      }
    }
  }

  /** The scheduler at one simulated hour: calls on every live replica at once, again while work is due. */
  async function runStep(now: Date): Promise<void> {
    const began = performance.now();
    const deadline = began + STEP_TIMEOUT_MS;
    let rounds = 0;
    for (let round = 1; ; round++) {
      rounds = round;
      const started = performance.now();
      const answers = await Promise.all(live.flatMap((replica) => Array.from({ length: CALLS_PER_REPLICA }, () => callBilling(replica, now))));
      await checkDeadLeasesHeld();
      if (answers.every(({ summary }) => summary && summary.remainingShops === 0 && summary.dunning.remaining === 0)) break;
      if (performance.now() > deadline) {
        const last = answers.map(({ replica, summary, failure }) =>
          summary ? `${replica.name}: ${summary.remainingShops} shops, ${summary.dunning.remaining} trackers due, shops ${JSON.stringify(summary.shops)}` : `${replica.name}: ${failure}`,
        );
        const due = await prisma.billingSchedule.findMany({ where: { OR: [{ nextRunAt: null }, { nextRunAt: { lte: now } }] } });
        const schedules = due.map((row) => JSON.stringify({ ...row, lastRunError: row.lastRunError?.slice(0, 200) }));
        throw new Error(`${now.toISOString()}: work still due after ${round} rounds of calls (${last.join("; ")}); due: ${schedules.join(", ")}`);
      }
      // While only a dead process's leases keep work due, the calls find nothing to claim: do not spin.
      const spent = performance.now() - started;
      if (spent < 250) await sleep(250 - spent);
    }
    // Outcomes complete asynchronously; their webhooks reach the replicas before time moves on.
    await within(`the webhooks of ${now.toISOString()}`, simulator.waitForIdle(), 30_000);
    console.log(`${now.toISOString()}: ${rounds} round(s), ${Math.round(performance.now() - began)} ms`);
  }

  /**
   * Calls the victim alone until it holds the shop's lease, has sent some of the shop's
   * charges for the day and holds trackers, then kills it (SIGKILL: no draining, no lease
   * released) and brings a replacement up, as an orchestrator would, while the others go on.
   */
  async function killMidRun(now: Date): Promise<{ restarted: Promise<void> }> {
    const target = live[0];
    for (let calls = 1; ; calls++) {
      let settled = false;
      const call = callBilling(target, now).finally(() => (settled = true));
      while (!settled) {
        const [schedule, trackers] = await Promise.all([
          prisma.billingSchedule.findFirst({ where: { shop: KILL_SHOP, leaseOwner: leaseOwnedBy(target) } }),
          prisma.dunningTracker.count({ where: { leaseOwner: leaseOwnedBy(target) } }),
        ]);
        const chargedThisHour = simulator
          .billingAttempts(KILL_SHOP)
          .filter((attempt) => attempt.createdAt >= now && attempt.idempotencyKey.endsWith("-attempt-1"));
        if (schedule && trackers > 0 && chargedThisHour.length > 0) {
          target.app.process.kill("SIGKILL");
          victim = target;
          break;
        }
        await sleep(5);
      }
      await call;
      if (victim) break;
      if (calls >= 8) throw new Error(`${target.name} finished ${calls} calls without being caught mid-run on ${KILL_SHOP}`);
    }
    const dead = victim!;
    await new Promise<void>((resolve) => (dead.app.process.exitCode !== null || dead.app.process.signalCode ? resolve() : dead.app.process.once("exit", () => resolve())));
    live = live.filter((replica) => replica !== dead);
    // The load balancer's health check drops it (the proxy also skips a refused connection).
    proxy.setBackends(live.map((replica) => replica.app.url));
    const [schedules, trackers] = await Promise.all([
      prisma.billingSchedule.findMany({ where: { leaseOwner: leaseOwnedBy(dead) } }),
      prisma.dunningTracker.findMany({ where: { leaseOwner: leaseOwnedBy(dead) } }),
    ]);
    deadLeases = [
      ...schedules.map((row) => ({ table: "BillingSchedule" as const, id: row.id, shop: row.shop, owner: row.leaseOwner!, expiresAt: row.leaseExpiresAt! })),
      ...trackers.map((row) => ({ table: "DunningTracker" as const, id: row.id, shop: row.shop, owner: row.leaseOwner!, expiresAt: row.leaseExpiresAt! })),
    ];
    const restarted = (async () => {
      await whenNoBuildRuns();
      const app = await startBuiltApp(env);
      const replacement = { name: `${dead.name}'`, app, calls: 0 };
      replicas.push(replacement);
      live.push(replacement);
      proxy.setBackends(live.map((replica) => replica.app.url));
    })();
    // Awaited by the caller; a failure to start is reported there, not as an unhandled rejection.
    restarted.catch(() => undefined);
    return { restarted };
  }

  it("runs two days of billing and dunning across the replicas, one killed mid-run", async () => {
    for (let step = 0; step < STEPS; step++) {
      const now = new Date(START.getTime() + step * HOUR);
      simulator.clock.set(now);
      if (now.getTime() !== KILL_AT.getTime()) {
        await runStep(now);
        continue;
      }
      const { restarted } = await killMidRun(now);
      await runStep(now);
      await restarted;
      const schedule = await prisma.billingSchedule.findUniqueOrThrow({ where: { shop: KILL_SHOP } });
      takeover = { lastBilledLocalDate: schedule.lastBilledLocalDate, leaseOwner: schedule.leaseOwner, lastRunStartedAt: schedule.lastRunStartedAt };
    }
    // Nothing is left due once the last webhooks are in.
    const last = await callBilling(live[0], END);
    expect(last.summary, last.failure).toMatchObject({ remainingShops: 0, dunning: { remaining: 0 } });
    expect(victim, "a replica was killed mid-run").toBeDefined();
    runCompleted = true;
  }, 170_000);

  it("charged every due cycle exactly once (the simulator's attempts and orders, and the app's records)", async () => {
    expect(runCompleted, "the run above went to its end").toBe(true);
    const problems: string[] = [];
    let expectedOrders = 0;
    for (const shop of SHOPS) {
      const schedule = await prisma.billingSchedule.findUniqueOrThrow({ where: { shop: shop.domain } });
      const lastRun = lastBillingHourBy(END, schedule.billingHour, shop.ianaTimezone);
      const attempts = simulator.billingAttempts(shop.domain);
      const orders = simulator.orders(shop.domain);
      for (const { contractId, cohort } of contracts.filter((contract) => contract.shop === shop.domain)) {
        for (const cycle of simulator.billingCycles(shop.domain, contractId, { count: 6 })) {
          const tried = attempts.filter((attempt) => attempt.contractId === contractId && attempt.cycleIndex === cycle.cycleIndex);
          const paid = orders.filter((order) => order.contractId === contractId && order.cycleIndex === cycle.cycleIndex);
          const where = `${contractId} (${cohort}) cycle ${cycle.cycleIndex}`;
          if (cycle.billingAttemptExpectedDate > lastRun) {
            if (tried.length > 0) problems.push(`${where}: not due by ${lastRun.toISOString()}, yet attempted`);
            continue;
          }
          const shouldPay = cohort === "pays" || cohort === "declinedOnce";
          if (shouldPay) expectedOrders++;
          if (tried.length === 0) problems.push(`${where}: due, never attempted`);
          if (paid.length !== (shouldPay ? 1 : 0)) problems.push(`${where}: ${paid.length} orders`);
        }
      }
      if (attempts.some((attempt) => attempt.errorCode === "INVOICE_ALREADY_PAID")) problems.push(`${shop.domain}: an attempt on a cycle already paid`);
    }
    expect(problems).toEqual([]);
    const allOrders = SHOPS.flatMap(({ domain }) => simulator.orders(domain));
    expect(allOrders.length).toBe(expectedOrders);

    // The app's own records say the same: no cycle with two successes, nothing refused.
    const succeeded = await prisma.billingAttempt.groupBy({ by: ["shop", "contractId", "billingCycleIndex"], where: { status: "SUCCEEDED" }, _count: { _all: true } });
    expect(succeeded.filter((group) => group._count._all > 1)).toEqual([]);
    expect(succeeded.length).toBe(expectedOrders);
    expect(await prisma.billingAttempt.count({ where: { status: { in: ["REJECTED", "PENDING", "PROCESSING"] } } })).toBe(0);
  });

  it("recorded every attempt Shopify made with its outcome, and no key's webhooks disagree", async () => {
    expect(runCompleted, "the run above went to its end").toBe(true);
    const recorded = new Map((await prisma.billingAttempt.findMany()).map((row) => [row.idempotencyKey, row]));
    const made = SHOPS.flatMap(({ domain }) => simulator.billingAttempts(domain));
    expect(made.length).toBe(recorded.size);
    const STATUS = { success: "SUCCEEDED", failed: "FAILED", action_required: "ACTION_REQUIRED", pending: "PROCESSING" } as const;
    const mismatches = made.flatMap((attempt) => {
      const row = recorded.get(attempt.idempotencyKey);
      const expected = { shopifyAttemptId: attempt.id, status: STATUS[attempt.state], errorCode: attempt.errorCode, orderId: attempt.orderId };
      const actual = row && { shopifyAttemptId: row.shopifyAttemptId, status: row.status, errorCode: row.errorCode, orderId: row.orderId };
      return JSON.stringify(actual) === JSON.stringify(expected) ? [] : [`${attempt.idempotencyKey}: Shopify ${JSON.stringify(expected)}, app ${JSON.stringify(actual ?? null)}`];
    });
    expect(mismatches).toEqual([]);

    // One result event per attempt, delivered (to whichever replica), with one outcome per key.
    const resultDeliveries = simulator.webhookDeliveries.filter((delivery) => delivery.topic.startsWith("subscription_billing_attempts/"));
    const topicsByKey = new Map<string, Set<string>>();
    for (const delivery of resultDeliveries) {
      const key = (delivery.payload as { idempotency_key: string }).idempotency_key;
      topicsByKey.set(key, new Set([...(topicsByKey.get(key) ?? []), delivery.topic]));
    }
    expect([...topicsByKey].filter(([, topics]) => topics.size > 1)).toEqual([]);
    expect(resultDeliveries.length).toBe(made.length);
    expect(simulator.webhookDeliveries.filter((delivery) => delivery.path !== null && delivery.state !== "delivered")).toEqual([]);
  });

  it("let the killed replica's leases run out before the others took its shop and trackers, and finished them", async () => {
    expect(runCompleted, "the run above went to its end").toBe(true);
    const dead = victim!;
    // Its call died with it; every other call was answered.
    expect(results.filter((result) => result.failure && result.replica !== dead).map((result) => `${result.replica.name}: ${result.failure}`)).toEqual([]);
    expect(results.filter((result) => result.replica === dead && result.failure).length).toBe(1);

    const shopLease = deadLeases.find((lease) => lease.table === "BillingSchedule");
    expect(shopLease, "the dead process held the shop's lease").toMatchObject({ shop: KILL_SHOP });
    expect(deadLeases.filter((lease) => lease.table === "DunningTracker").length, "the dead process held trackers").toBeGreaterThan(0);
    expect(leasesTakenEarly).toEqual([]);
    // Billed for its local date by another process, which claimed it once the lease had run out.
    expect(takeover).toMatchObject({ lastBilledLocalDate: localDateAt(KILL_AT, "America/Los_Angeles"), leaseOwner: null });
    expect(takeover!.lastRunStartedAt!.getTime()).toBeGreaterThanOrEqual(shopLease!.expiresAt.getTime());
    // Its trackers went on to the ends their cards' stories give them (checked for all below); none is still held.
    const trackers = await prisma.dunningTracker.findMany({ where: { id: { in: deadLeases.filter((l) => l.table === "DunningTracker").map((l) => l.id) } } });
    expect(trackers.filter((tracker) => OPEN_STATUSES.includes(tracker.status))).toEqual([]);
    expect(await prisma.billingSchedule.count({ where: { leaseExpiresAt: { gt: new Date() } } })).toBe(0);
    expect(await prisma.dunningTracker.count({ where: { leaseExpiresAt: { gt: new Date() } } })).toBe(0);
    // The replacement took calls and webhooks like the others.
    const replacement = replicas.find((replica) => replica.name === `${dead.name}'`)!;
    expect(replacement.calls).toBeGreaterThan(0);
    expect(proxy.answeredBy.get(replacement.app.url) ?? 0).toBeGreaterThan(0);
  });

  it("retried each tracker once per attempt number and ended it as its card's story says", async () => {
    expect(runCompleted, "the run above went to its end").toBe(true);
    const trackers = await prisma.dunningTracker.findMany();
    const attempts = await prisma.billingAttempt.findMany();
    const events = await prisma.dunningEvent.findMany({ where: { kind: "RETRY_SENT" } });
    const problems: string[] = [];
    for (const tracker of trackers) {
      const where = `tracker ${tracker.id} (${tracker.contractId} cycle ${tracker.billingCycleIndex})`;
      const numbers = attempts
        .filter((a) => a.shop === tracker.shop && a.contractId === tracker.contractId && a.billingCycleIndex === tracker.billingCycleIndex)
        .map((a) => a.attemptNumber)
        .sort((a, b) => a - b);
      if (JSON.stringify(numbers) !== JSON.stringify(Array.from({ length: tracker.attemptCount }, (_, i) => i + 1))) {
        problems.push(`${where}: attempts ${numbers.join(",")} for an attempt count of ${tracker.attemptCount}`);
      }
      const sent = events.filter((event) => event.trackerId === tracker.id).map((event) => event.attemptNumber);
      if (new Set(sent).size !== sent.length) problems.push(`${where}: retries sent ${sent.join(",")}`);
    }
    expect(problems).toEqual([]);

    const cohortOfContract = new Map(contracts.map((contract) => [contract.contractId, contract.cohort]));
    const outcome = (cohort: Cohort) =>
      trackers
        .filter((tracker) => cohortOfContract.get(tracker.contractId) === cohort)
        .map((tracker) => ({ cycle: tracker.billingCycleIndex, status: tracker.status, attempts: tracker.attemptCount, finalAction: tracker.finalAction }));
    const perShop = (cohort: Cohort) => SHOPS.length * Array.from({ length: CONTRACTS_PER_SHOP }, (_, index) => cohortOf(index)).filter((c) => c === cohort).length;
    expect(outcome("pays")).toEqual([]);
    expect(outcome("declinedOnce")).toEqual(Array(perShop("declinedOnce")).fill({ cycle: 1, status: "RECOVERED", attempts: 2, finalAction: null }));
    expect(outcome("neverPays")).toEqual(Array(perShop("neverPays")).fill({ cycle: 1, status: "EXHAUSTED", attempts: 2, finalAction: "SKIP" }));
    expect(outcome("expiredCard")).toEqual(Array(perShop("expiredCard")).fill({ cycle: 1, status: "EXHAUSTED", attempts: 1, finalAction: "SKIP" }));
    // Every customer whose card failed was asked once for a new one (at most one in 72 hours).
    const emails = SHOPS.flatMap(({ domain }) => simulator.paymentUpdateEmails(domain));
    expect(emails.length).toBe(trackers.length);
    expect(new Set(emails.map((email) => email.customerId)).size).toBe(trackers.length);
  });

  it("spread the calls and the webhooks over every replica, and runs took several calls", () => {
    expect(runCompleted, "the run above went to its end").toBe(true);
    for (const replica of replicas) {
      expect(replica.calls, `calls to ${replica.name}`).toBeGreaterThan(0);
      expect(proxy.answeredBy.get(replica.app.url) ?? 0, `webhooks answered by ${replica.name}`).toBeGreaterThan(0);
    }
    const answered = results.flatMap((result) => (result.summary ? [result.summary] : []));
    // No call can reach ten batches of a shop (see the simulator's latency above): each
    // shop's run on each date ended at least one call's budget, but perhaps the killed call's.
    const unfinished = answered.reduce((sum, summary) => sum + summary.shops.unfinished, 0);
    expect(unfinished, "calls whose budget ended mid-shop").toBeGreaterThanOrEqual(SHOPS.length * 2 - 1);
    expect(answered.filter((summary) => summary.shops.heldElsewhere > 0).length, "calls that met a shop another held").toBeGreaterThan(0);
    expect(answered.filter((summary) => summary.dunning.heldElsewhere > 0).length, "calls that met a tracker another held").toBeGreaterThan(0);
  });
});

/** The last instant by `end` at which the shop's local billing hour came. */
function lastBillingHourBy(end: Date, billingHour: number, timezone: string): Date {
  let date = localDateAt(end, timezone);
  for (;;) {
    const instant = scheduledInstant(date, billingHour, timezone);
    if (instant <= end) return instant;
    date = new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  }
}
