import path from "node:path";
import type { Browser } from "playwright-core";
import { createPrismaClient, type PrismaClient } from "../../app/db/client.server";
import { startStoreSimulator, type StoreSimulator } from "../../simulator/store-simulator";
import { BUILT_SERVER_ENTRY, startBuiltApp, type RunningAppServer } from "../../tools/built-app";
import { createMigratedDatabase, type TestDatabase } from "../../tools/scratch-databases";
import { launchHeadlessChromium, requireChromium } from "./headless-chromium";
import { pinProcessClock, unpinProcessClock } from "./pinned-clock";
import { TEST_API_KEY, TEST_API_SECRET, testEnvironment } from "./shopify-requests";

const SHIFTED_CLOCK = path.resolve(import.meta.dirname, "shifted-clock.mjs");

/** What the admin's browser tests run against: one SQLite database, the simulator, the built app, Chromium. */
export interface BrowserAdmin {
  database: TestDatabase;
  simulator: StoreSimulator;
  app: RunningAppServer;
  prisma: PrismaClient;
  browser: Browser;
  userAgent: string;
  /** Stops everything that was started, in reverse order, and unpins the clock. */
  close(): Promise<void>;
}

export interface BrowserAdminOptions {
  /** This process's clock and the built server's (shifted-clock.mjs) start here: fixed dates. */
  clockAt: Date;
  /** The simulator's own clock. */
  simulatorStart: Date;
  attemptProcessingMs?: number;
  shops: Array<{ domain: string; name: string; ianaTimezone: string; currencyCode: string }>;
}

/**
 * Starts the browser tests' world: fails at once without Chromium; otherwise pins this
 * process's clock, creates a migrated SQLite database, starts the store simulator with the
 * shops and the built server on a shifted clock, and launches headless Chromium. A step that
 * fails stops what the earlier ones started.
 */
export async function startBrowserAdmin(options: BrowserAdminOptions): Promise<BrowserAdmin> {
  requireChromium();
  pinProcessClock(options.clockAt);
  const started: Partial<BrowserAdmin> = {};
  const close = async () => {
    await started.browser?.close();
    await started.prisma?.$disconnect();
    await started.app?.stop();
    await started.simulator?.close();
    await started.database?.drop();
    unpinProcessClock();
  };
  try {
    const database = (started.database = await createMigratedDatabase("sqlite"));
    const simulator = (started.simulator = await startStoreSimulator({
      apiKey: TEST_API_KEY,
      apiSecret: TEST_API_SECRET,
      startTime: options.simulatorStart,
      ...(options.attemptProcessingMs === undefined ? {} : { attemptProcessingMs: options.attemptProcessingMs }),
    }));
    for (const { domain, ...shop } of options.shops) simulator.upsertShop(domain, shop);
    const app = (started.app = await startBuiltApp(
      { ...testEnvironment(database, simulator), TEST_CLOCK_START: options.clockAt.toISOString() },
      { command: [process.execPath, "--import", SHIFTED_CLOCK, BUILT_SERVER_ENTRY] },
    ));
    simulator.setAppUrl(app.url);
    const prisma = (started.prisma = createPrismaClient(database.target));
    const { browser, userAgent } = await launchHeadlessChromium();
    started.browser = browser;
    return { database, simulator, app, prisma, browser, userAgent, close };
  } catch (error) {
    await close();
    throw error;
  }
}
