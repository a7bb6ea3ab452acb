import type { PrismaClient } from "../../app/db/client.server";
import type { DatabaseProvider } from "../../app/config/database-url";
import type { StoreSimulator } from "../../simulator/store-simulator";
import { callLoader, embeddedAdminRequest, runAppInProcess, startTestSimulator, testEnvironment } from "./app-under-test";
import { pinProcessClock, PINNED_NOW, unpinProcessClock } from "./pinned-clock";
import { createMigratedDatabase, type TestDatabase } from "../../tools/scratch-databases";

/** The app's route modules in process, on a database of its own, with one shop installed. */
export interface InstalledApp {
  prisma: PrismaClient;
  simulator: StoreSimulator;
  database: TestDatabase;
  close(): Promise<void>;
}

/**
 * The process clock is pinned to `now` (default PINNED_NOW, see pinned-clock.ts) from before
 * the install until close(): the shop's first schedule, and everything else the app reads
 * the clock for, does not depend on today's date.
 */
export async function startAppWithInstalledShop(
  provider: DatabaseProvider,
  shop: string,
  options: { ianaTimezone: string; now?: Date },
): Promise<InstalledApp> {
  pinProcessClock(options.now ?? PINNED_NOW);
  try {
    return await installOnPinnedClock(provider, shop, options.ianaTimezone);
  } catch (error) {
    unpinProcessClock();
    throw error;
  }
}

async function installOnPinnedClock(provider: DatabaseProvider, shop: string, ianaTimezone: string): Promise<InstalledApp> {
  const database = await createMigratedDatabase(provider);
  const simulator = await startTestSimulator();
  simulator.upsertShop(shop, { ianaTimezone });
  const { prisma } = await runAppInProcess(testEnvironment(database, simulator));
  // Shopify admin opens the app: token exchange, afterAuth.
  const page = await callLoader("../../app/routes/app._index", embeddedAdminRequest("/app", shop));
  if (page instanceof Response) throw new Error(`installing ${shop} answered ${page.status}`);
  return {
    prisma,
    simulator,
    database,
    async close() {
      try {
        await prisma.$disconnect();
        await simulator.close();
        await database.drop();
      } finally {
        unpinProcessClock();
      }
    },
  };
}
