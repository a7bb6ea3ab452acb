import type { PrismaClient } from "../../app/db/client.server";
import type { BillingRunSummary } from "../../app/cron/billing-run.server";
import { startStoreSimulator, type StoreSimulator } from "../../simulator/store-simulator";
import {
  billingRunRequest,
  callAction,
  callLoader,
  embeddedAdminRequest,
  runAppInProcess,
  TEST_API_KEY,
  TEST_API_SECRET,
  testEnvironment,
} from "./app-under-test";
import { serveRouteActions } from "./app-http-server";
import { createMigratedDatabase, type TestDatabase } from "../../tools/scratch-databases";
import type { DatabaseProvider } from "../../app/config/database-url";
import { pinProcessClock, unpinProcessClock } from "./pinned-clock";

const ROUTES = "../../app/routes";

/**
 * The app (route modules, in process) on its own database, the store simulator with a
 * simulated clock, and the app's webhook route served over HTTP so the simulator can
 * deliver billing-attempt results the way Shopify does.
 *
 * Both clocks start at `startTime`: the simulated one (billing: `now` in the cron body) and
 * this process's (pinned, see pinned-clock.ts), which the app reads where it reads the real
 * clock (the first schedule at install, page loaders, leases). close() unpins it.
 */
export interface BillingHarness {
  /** The app's Prisma client; replaced by restartApp(). */
  prisma: PrismaClient;
  simulator: StoreSimulator;
  /** The app's database (dropped by close()). */
  database: TestDatabase;
  /** Installs the shop the way Shopify admin does (token exchange, afterAuth). */
  install(shop: string, fields?: { ianaTimezone?: string }): Promise<void>;
  /** Calls POST /api/billing/run with the scheduler's secret; `now` defaults to the simulated clock. */
  runBilling(body?: Record<string, unknown>): Promise<BillingRunSummary>;
  /** Where the app's webhook routes listen (to redeliver a webhook by hand). */
  webhookUrl: string;
  /** Drops the app's modules and database client and loads them afresh, as a restarted process would. */
  restartApp(): Promise<void>;
  close(): Promise<void>;
}

export async function startBillingHarness(
  provider: DatabaseProvider,
  options: { startTime: Date; simulator?: Partial<Parameters<typeof startStoreSimulator>[0]> },
): Promise<BillingHarness> {
  // First: the simulator's clock is an offset from Date.now().
  pinProcessClock(options.startTime);
  try {
    return await startOnPinnedClock(provider, options);
  } catch (error) {
    unpinProcessClock();
    throw error;
  }
}

async function startOnPinnedClock(
  provider: DatabaseProvider,
  options: { startTime: Date; simulator?: Partial<Parameters<typeof startStoreSimulator>[0]> },
): Promise<BillingHarness> {
  const database: TestDatabase = await createMigratedDatabase(provider);
  const webhookReceiver = await serveRouteActions({
    "/webhooks/subscription_billing_attempts": `${ROUTES}/webhooks.subscription_billing_attempts`,
    "/webhooks/customer_payment_methods": `${ROUTES}/webhooks.customer_payment_methods`,
    "/webhooks/subscription_contracts": `${ROUTES}/webhooks.subscription_contracts`,
    "/webhooks/subscription_billing_cycles": `${ROUTES}/webhooks.subscription_billing_cycles`,
    "/webhooks/app/uninstalled": `${ROUTES}/webhooks.app.uninstalled`,
  });
  const simulator = await startStoreSimulator({
    apiKey: TEST_API_KEY,
    apiSecret: TEST_API_SECRET,
    appUrl: webhookReceiver.url,
    startTime: options.startTime,
    attemptProcessingMs: 1,
    webhookRetryDelayMs: 5,
    ...options.simulator,
  });
  const environment = testEnvironment(database, simulator);
  const harness: BillingHarness = {
    prisma: (await runAppInProcess(environment)).prisma,
    simulator,
    database,
    webhookUrl: webhookReceiver.url,
    async restartApp() {
      await harness.prisma.$disconnect();
      harness.prisma = (await runAppInProcess(environment)).prisma;
    },
    async install(shop, fields = {}) {
      simulator.upsertShop(shop, { ianaTimezone: fields.ianaTimezone ?? "UTC" });
      const page = await callLoader(`${ROUTES}/app._index`, embeddedAdminRequest("/app", shop));
      if (page instanceof Response) throw new Error(`installing ${shop} answered ${page.status}`);
    },
    async runBilling(body = {}) {
      const response = await callAction(
        `${ROUTES}/api.billing.run`,
        billingRunRequest({ now: simulator.clock.now().toISOString(), ...body }),
      );
      if (response.status !== 200) throw new Error(`billing run answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as BillingRunSummary;
    },
    async close() {
      try {
        await harness.prisma.$disconnect();
        await simulator.close();
        await webhookReceiver.close();
        await database.drop();
      } finally {
        unpinProcessClock();
      }
    },
  };
  return harness;
}
