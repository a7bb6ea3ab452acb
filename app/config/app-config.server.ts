import { parseEnvironment, type AppConfig } from "./environment";

// The one validated configuration of this process, which the database, Shopify and billing
// modules read. The production server validates the environment first (listing every
// problem), then hands the result here (app/start-up.server.ts); the Vite dev server and
// in-process tests either do the same or let the first use validate process.env.

let current: AppConfig | undefined;

/** Makes `config` the process's configuration; the database client and Shopify app follow it. */
export function setAppConfig(config: AppConfig): AppConfig {
  current = config;
  return config;
}

/**
 * The process's configuration. Read at first use, never at import: until start-up has set
 * one, process.env is validated now, and an invalid one throws with every problem listed.
 */
export function appConfig(): AppConfig {
  current ??= parseEnvironment(process.env);
  return current;
}

/** The configuration start-up set (or the first use validated), without validating one now. */
export function currentAppConfig(): AppConfig | undefined {
  return current;
}
