import { randomUUID } from "node:crypto";
import { errorMessage } from "./http";
import { deliverWebhook } from "./webhook-delivery";
import { subscriptionUriFor, type WebhookSubscription } from "./webhook-subscriptions";

// Webhooks the simulator raises itself (billing attempts): queued, delivered over HTTP with
// bounded concurrency, retried on a non-2xx answer or a network failure, and logged.

export interface WebhookQueueOptions {
  appUrl: () => string | undefined;
  secret: string;
  subscriptions: readonly WebhookSubscription[];
  concurrency: number;
  /** Deliveries per event, the first included. */
  maxAttempts: number;
  /** Wait before the first retry; doubles with each further one. */
  retryDelayMs: number;
  timeoutMs: number;
  /** Called whenever a delivery settles, so idle waiters re-check. */
  onSettled: () => void;
}

export type WebhookDeliveryState = "queued" | "in_flight" | "retry_scheduled" | "delivered" | "failed" | "not_subscribed";

export interface WebhookDeliveryRecord {
  shop: string;
  topic: string;
  /** The subscription's uri; null when the app has no subscription for the topic. */
  path: string | null;
  /** Shopify keeps one webhook id across the retries of an event. */
  webhookId: string;
  eventId: string;
  payload: unknown;
  triggeredAt: Date;
  attempts: number;
  /** HTTP status of the last try; null before the first answer or after a network failure. */
  status: number | null;
  state: WebhookDeliveryState;
  error?: string;
}

export interface WebhookEvent {
  shop: string;
  topic: string;
  payload: unknown;
  triggeredAt: Date;
}

export class WebhookQueue {
  /** Every event raised, in order, updated in place as deliveries progress. */
  readonly deliveries: WebhookDeliveryRecord[] = [];
  private queued: WebhookDeliveryRecord[] = [];
  private inFlight = 0;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private paused = false;
  private closed = false;

  constructor(private readonly options: WebhookQueueOptions) {}

  enqueue(event: WebhookEvent): WebhookDeliveryRecord {
    const path = subscriptionUriFor(this.options.subscriptions, event.topic) ?? null;
    const record: WebhookDeliveryRecord = {
      ...event,
      path,
      webhookId: randomUUID(),
      eventId: randomUUID(),
      attempts: 0,
      status: null,
      state: path === null ? "not_subscribed" : "queued",
    };
    this.deliveries.push(record);
    if (path !== null) {
      this.queued.push(record);
      this.pump();
    }
    return record;
  }

  pause(): void {
    this.paused = true;
  }

  /** Resumes delivery; `reorder` may rearrange the waiting deliveries first (say, reverse them). */
  resume(reorder?: (waiting: WebhookDeliveryRecord[]) => WebhookDeliveryRecord[]): void {
    if (reorder) this.queued = reorder([...this.queued]);
    this.paused = false;
    this.pump();
  }

  /** Nothing in flight or waiting to retry, and nothing queued that could be sent now. */
  isIdle(): boolean {
    return this.inFlight === 0 && this.retryTimers.size === 0 && (this.paused || this.queued.length === 0);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
  }

  private pump(): void {
    while (!this.paused && !this.closed && this.inFlight < this.options.concurrency && this.queued.length > 0) {
      const record = this.queued.shift()!;
      this.inFlight++;
      void this.attempt(record).finally(() => {
        this.inFlight--;
        this.pump();
        this.options.onSettled();
      });
    }
  }

  private async attempt(record: WebhookDeliveryRecord): Promise<void> {
    record.state = "in_flight";
    record.attempts++;
    const appUrl = this.options.appUrl();
    if (!appUrl && !/^https?:\/\//.test(record.path ?? "")) {
      record.state = "failed";
      record.error = "no appUrl: pass appUrl to startStoreSimulator() or call setAppUrl()";
      return;
    }
    try {
      const result = await deliverWebhook(appUrl ?? "", this.options.secret, {
        shop: record.shop,
        topic: record.topic,
        payload: record.payload,
        path: record.path!,
        webhookId: record.webhookId,
        eventId: record.eventId,
        triggeredAt: record.triggeredAt,
        timeoutMs: this.options.timeoutMs,
      });
      record.status = result.status;
      delete record.error;
      if (result.status >= 200 && result.status < 300) {
        record.state = "delivered";
        return;
      }
    } catch (error) {
      record.status = null;
      record.error = errorMessage(error);
    }
    this.scheduleRetry(record);
  }

  private scheduleRetry(record: WebhookDeliveryRecord): void {
    if (record.attempts >= this.options.maxAttempts || this.closed) {
      record.state = "failed";
      return;
    }
    record.state = "retry_scheduled";
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      record.state = "queued";
      this.queued.push(record);
      this.pump();
      this.options.onSettled();
    }, this.options.retryDelayMs * 2 ** (record.attempts - 1));
    this.retryTimers.add(timer);
  }
}
