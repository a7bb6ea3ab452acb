import type { PrismaClient } from "../../app/db/client.server";
import type { DatabaseProvider } from "../../app/config/database-url";
import type { StoreSimulator } from "../../simulator/store-simulator";
import { callLoader, embeddedAdminRequest, runAppInProcess, startTestSimulator, testEnvironment } from "./app-under-test";
import { createMigratedDatabase, type TestDatabase } from "../../tools/scratch-databases";

/** The app's route modules in process, on a database of its own, with one shop installed. */
export interface InstalledApp {
  prisma: PrismaClient;
  simulator: StoreSimulator;
  database: TestDatabase;
  close(): Promise<void>;
}

export async function startAppWithInstalledShop(
  provider: DatabaseProvider,
  shop: string,
  options: { ianaTimezone: string },
): Promise<InstalledApp> {
  const database = await createMigratedDatabase(provider);
  const simulator = await startTestSimulator();
  simulator.upsertShop(shop, { ianaTimezone: options.ianaTimezone });
  const { prisma } = await runAppInProcess(testEnvironment(database, simulator));
  // Shopify admin opens the app: token exchange, afterAuth.
  const page = await callLoader("../../app/routes/app._index", embeddedAdminRequest("/app", shop));
  if (page instanceof Response) throw new Error(`installing ${shop} answered ${page.status}`);
  return {
    prisma,
    simulator,
    database,
    async close() {
      await prisma.$disconnect();
      await simulator.close();
      await database.drop();
    },
  };
}
