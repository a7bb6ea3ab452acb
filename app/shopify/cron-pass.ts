import type { AdminApiClient } from "./admin-api-client.server";

/**
 * What the billing endpoint gives each of its passes after billing (dunning, Flow triggers,
 * the charge reconciliation): one clock, deadline, lease length and worker id for the call.
 */
export interface CronPassOptions {
  /** The billing clock (simulated against the store simulator). */
  now: Date;
  /** Real-clock instant after which nothing new is started. */
  deadline: number;
  clock: () => number;
  leaseMs: number;
  /** Identifies this call in lease columns and logs. */
  workerId: string;
  /** How many trackers, days or shops the pass works on at once. */
  concurrency: number;
  clientForShop: (shop: string) => Promise<AdminApiClient>;
}

/**
 * For one pass of the cron (dunning, reconciliation, Flow triggers): a shop's Admin API client
 * looked up once (its session read, its token refreshed if need be), however many of the
 * shop's trackers, days or events need it. A lookup that fails is not left unhandled while
 * nothing awaits it yet; every caller that awaits it sees the failure.
 */
export function clientPerShop(clientForShop: (shop: string) => Promise<AdminApiClient>): (shop: string) => Promise<AdminApiClient> {
  const clients = new Map<string, Promise<AdminApiClient>>();
  return (shop) => {
    let client = clients.get(shop);
    if (!client) {
      client = clientForShop(shop);
      client.catch(() => undefined);
      clients.set(shop, client);
    }
    return client;
  };
}
