import type { WebhookSubscription } from "./webhook-subscriptions";

/** Everything startStoreSimulator() accepts; only the app's credentials are required. */
export interface StoreSimulatorOptions {
  apiKey: string;
  apiSecret: string;
  /** Comma-separated scopes granted on token exchange. */
  scopes?: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Base URL of the app, where webhooks are POSTed; can also be set later with setAppUrl(). */
  appUrl?: string;
  /** Query-cost points each shop's bucket holds (default 2000, Shopify's standard plan). */
  bucketSize?: number;
  /** Points per second each shop's bucket refills (default 100, Shopify's standard plan). */
  restoreRate?: number;
  /** Business time the simulated clock starts at; default: now. */
  startTime?: Date;
  /** Real milliseconds a billing attempt (or bulk-charge job) stays pending before it completes (default 5). */
  attemptProcessingMs?: number;
  /** Where each webhook topic is POSTed; default: the [[webhooks.subscriptions]] of shopify.app.toml. */
  webhookSubscriptions?: Array<{ topics: string[]; uri: string }>;
  /** The app's Flow trigger extensions (handle and fields); default: those under extensions/. */
  flowTriggers?: Array<{ handle: string; fields: Array<{ type: string; key?: string }> }>;
  /** Webhook deliveries in flight at once (default 8). */
  webhookConcurrency?: number;
  /** Tries per webhook event, the first included, before it is logged as failed (default 4). */
  webhookMaxAttempts?: number;
  /** Wait before the first retry, doubled for each further one (default 20 ms). */
  webhookRetryDelayMs?: number;
  /** A delivery the app has not answered by then counts as failed (default 5000 ms, as Shopify). */
  webhookTimeoutMs?: number;
  /** Added before answering each GraphQL request (default 0). */
  latencyMs?: number;
  /** Up to this much more latency, at random (default 0). */
  latencyJitterMs?: number;
}

export type { WebhookSubscription };
