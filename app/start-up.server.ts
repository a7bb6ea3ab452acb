import { setAppConfig } from "./config/app-config.server";
import type { AppConfig } from "./config/environment";
import { assertAppDatabaseReady, closeAppDatabase } from "./db/app-database.server";
import type { StartupCheckOptions } from "./db/readiness.server";
import { shopify } from "./shopify.server";

/**
 * Start-up, after the environment was validated (server.ts, the Vite dev server): the app
 * runs with `config`, and refuses to serve on a database that is not ready (unreachable,
 * tables missing, migrations pending or failed), with the reason for the operator.
 */
export async function startApp(config: AppConfig, options?: StartupCheckOptions): Promise<void> {
  setAppConfig(config);
  await assertAppDatabaseReady(options);
  // Built now, not at the first request; its session storage expects the tables to exist.
  shopify();
}

/** After the last request: the database pool closes, so the process can exit. */
export function stopApp(): Promise<void> {
  return closeAppDatabase();
}
