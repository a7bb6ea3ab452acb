import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScheduleAt } from "../../demo/app";
import { createPrismaClient, type PrismaClient } from "../../app/db/client.server";
import { startBuiltApp, type RunningAppServer } from "../../tools/built-app";
import { startStoreSimulator, type StoreSimulator } from "../../simulator/store-simulator";
import { createMigratedDatabase, type TestDatabase } from "../../tools/scratch-databases";
import { testProviders } from "../support/providers";
import {
  BROWSER_USER_AGENT,
  embeddedAdminRequest,
  TEST_API_KEY,
  TEST_API_SECRET,
  TEST_CRON_SECRET,
  testEnvironment,
} from "../support/shopify-requests";

const HOUR = 3600_000;
const SHOPS = [
  { domain: "e2e-auckland.myshopify.com", ianaTimezone: "Pacific/Auckland" },
  { domain: "e2e-london.myshopify.com", ianaTimezone: "Europe/London" },
];

/**
 * The whole loop over real HTTP: the built server (npm start), the store simulator, a
 * scheduler calling POST /api/billing/run every simulated hour, and the simulator's
 * billing-attempt webhooks flowing back to the server.
 */
describe.each(testProviders())("%s: a scheduler drives the built server's billing endpoint", (provider) => {
  let database: TestDatabase;
  let simulator: StoreSimulator;
  let app: RunningAppServer;
  let prisma: PrismaClient;
  /**
   * Where the simulated clock starts: a fixed midnight UTC, weeks away from both shops'
   * daylight-saving changes. The built server runs in its own process, on the real clock.
   */
  const start = new Date("2026-01-14T00:00:00Z");

  beforeAll(async () => {
    database = await createMigratedDatabase(provider);
    simulator = await startStoreSimulator({ apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET, startTime: start, attemptProcessingMs: 2 });
    app = await startBuiltApp(testEnvironment(database, simulator));
    simulator.setAppUrl(app.url);
    prisma = createPrismaClient(database.target);
    for (const shop of SHOPS) {
      simulator.upsertShop(shop.domain, { ianaTimezone: shop.ianaTimezone });
      const page = new URL(embeddedAdminRequest("/app", shop.domain).url);
      const response = await fetch(`${app.url}${page.pathname}${page.search}`, { headers: { "User-Agent": BROWSER_USER_AGENT } });
      expect(response.status).toBe(200);
    }
    // Installing set the first run from the server's real clock; the scheduler's span starts
    // at `start`: each shop counts as billed for the local dates whose billing hour came before.
    for (const { domain } of SHOPS) await startScheduleAt(prisma, domain, start);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await app?.stop();
    await simulator?.close();
    await database?.drop();
  });

  async function callScheduler(now: Date) {
    const response = await fetch(`${app.url}/api/billing/run`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TEST_CRON_SECRET}`, "Content-Type": "application/json" },
      body: JSON.stringify({ now: now.toISOString() }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { attempts: { sent: number }; dunning: { retriesSent: number }; remainingShops: number };
  }

  it("bills each shop at its local hour over two days, and the webhooks settle every attempt", async () => {
    const contracts = SHOPS.flatMap(({ domain }) => [
      // Due in the first hours of the span; one customer's card is declined.
      simulator.createContract(domain, { interval: "DAY", nextBillingDate: new Date(start.getTime() + 2 * HOUR), amount: "3.00" }),
      simulator.createContract(domain, {
        interval: "WEEK",
        nextBillingDate: new Date(start.getTime() + 5 * HOUR),
        amount: "12.50",
        paymentMethodOutcomes: [{ error: "INSUFFICIENT_FUNDS" }],
      }),
    ]);

    let sent = 0;
    for (let hour = 1; hour <= 48; hour++) {
      const now = new Date(start.getTime() + hour * HOUR);
      simulator.clock.set(now);
      // Called again while shops remain, as a scheduler does; each call has the whole default
      // time budget for two shops, so more than a few calls means the endpoint is stuck.
      for (let calls = 1, answer = await callScheduler(now); ; calls++, answer = await callScheduler(now)) {
        sent += answer.attempts.sent + answer.dunning.retriesSent;
        if (answer.remainingShops === 0) break;
        if (calls >= 10) throw new Error(`hour ${hour}: ${answer.remainingShops} shop(s) still remaining after ${calls} calls`);
      }
      await simulator.waitForIdle();
    }

    const attempts = await prisma.billingAttempt.findMany({ orderBy: { id: "asc" } });
    expect(attempts.length).toBe(sent);
    // Per shop, two local billing hours fall in the span: the daily contract is charged at
    // each (cycles 1 and 2), the weekly one once; its card declines, and dunning's first
    // retry, a day later, is paid.
    for (const [index, { domain }] of SHOPS.entries()) {
      const [daily, weekly] = [contracts[2 * index], contracts[2 * index + 1]];
      const ofShop = attempts.filter((a) => a.shop === domain);
      expect(ofShop.filter((a) => a.contractId === daily.contractId).map((a) => [a.billingCycleIndex, a.status])).toEqual([
        [1, "SUCCEEDED"],
        [2, "SUCCEEDED"],
      ]);
      expect(ofShop.filter((a) => a.contractId === weekly.contractId).map((a) => [a.attemptNumber, a.status, a.errorCode])).toEqual([
        [1, "FAILED", "INSUFFICIENT_FUNDS"],
        [2, "SUCCEEDED", null],
      ]);
      expect(await prisma.dunningTracker.findFirst({ where: { shop: domain } })).toMatchObject({ contractId: weekly.contractId, status: "RECOVERED" });
      expect(new Set(ofShop.filter((a) => a.attemptNumber === 1).map((a) => a.runLocalDate)).size).toBe(2);
      const schedule = await prisma.billingSchedule.findUniqueOrThrow({ where: { shop: domain } });
      expect(schedule.lastRunOutcome).toBe("COMPLETED");
    }
    // What the app recorded is exactly what the simulated Shopify was asked to charge.
    const simulated = SHOPS.flatMap(({ domain }) => simulator.billingAttempts(domain));
    expect(simulated.map((a) => a.idempotencyKey).sort()).toEqual(attempts.map((a) => a.idempotencyKey).sort());
  });
});
