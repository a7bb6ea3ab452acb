import { createHash, createHmac, randomUUID } from "node:crypto";
import { SHOPIFY_API_VERSION as SIMULATOR_API_VERSION } from "../app/shopify/api-version";

// Webhooks: POST a signed payload to the app, the way Shopify delivers one.

export interface DeliverWebhookInput {
  shop: string;
  topic: string;
  payload: unknown;
  /** Path on the app, e.g. "/webhooks/app/uninstalled", or an absolute URL (a subscription's full uri). */
  path: string;
  webhookId?: string;
  /** Signs with this instead of the API secret, to send a bad signature. */
  hmacSecret?: string;
  /** Shopify keeps the event id and trigger time across retries of one event. */
  eventId?: string;
  triggeredAt?: Date;
  /** Abort a delivery the app has not answered by then, as Shopify gives up after a few seconds. */
  timeoutMs?: number;
}

export async function deliverWebhook(
  appUrl: string,
  secret: string,
  input: DeliverWebhookInput,
): Promise<{ status: number; body: string; webhookId: string }> {
  const webhookId = input.webhookId ?? randomUUID();
  const body = JSON.stringify(input.payload);
  const url = /^https?:\/\//.test(input.path)
    ? input.path
    : `${appUrl.replace(/\/+$/, "")}${input.path.startsWith("/") ? "" : "/"}${input.path}`;
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "User-Agent": "Shopify-Captain-Hook",
      "X-Shopify-Topic": input.topic,
      "X-Shopify-Hmac-Sha256": createHmac("sha256", secret).update(body, "utf8").digest("base64"),
      "X-Shopify-Shop-Domain": input.shop,
      "X-Shopify-API-Version": SIMULATOR_API_VERSION,
      "X-Shopify-Webhook-Id": webhookId,
      "X-Shopify-Triggered-At": (input.triggeredAt ?? new Date()).toISOString(),
      // A delivery sent again under its webhook id is a retry of the same event.
      "X-Shopify-Event-Id": input.eventId ?? (input.webhookId ? eventIdOf(input.webhookId) : randomUUID()),
    },
    body,
    // Shopify does not follow redirects; a redirect (say, to a login page) is a failed delivery.
    redirect: "manual",
    signal: input.timeoutMs === undefined ? undefined : AbortSignal.timeout(input.timeoutMs),
  });
  return { status: response.status, body: await response.text(), webhookId };
}

/** The same UUID-shaped event id for every delivery sent under one webhook id. */
export function eventIdOf(webhookId: string): string {
  const hex = createHash("sha256").update(webhookId).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
