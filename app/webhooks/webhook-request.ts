import { createHmac, timingSafeEqual } from "node:crypto";
import { shortened } from "../lib/shortened";

/**
 * A webhook request checked the way Shopify documents it, without a session: the HMAC of
 * the raw body, the headers, the topic the route subscribed to, a JSON object body. Needing
 * no session matters: with expiring offline tokens, the library's check tries to refresh the
 * token of an uninstalled shop and throws (Shopify/shopify-app-js#3360), so app/uninstalled
 * and the privacy webhooks would fail forever.
 */
export interface VerifiedWebhook {
  shop: string;
  /** As Shopify names it in X-Shopify-Topic: "subscription_billing_attempts/failure". */
  topic: string;
  /** X-Shopify-Webhook-Id: one delivery and its retries. */
  webhookId: string | undefined;
  /** X-Shopify-Event-Id: one event, even when delivered again under a new webhook id. */
  eventId: string | undefined;
  /** When Shopify raised the event (X-Shopify-Triggered-At), or when it reached us. */
  triggeredAt: Date;
  payload: Record<string, unknown>;
}

export interface WebhookRejection {
  status: 400 | 401 | 405 | 413;
  reason: string;
}

export interface WebhookExpectations {
  secret: string;
  /** The topics this route is subscribed to in shopify.app.toml. */
  topics: readonly string[];
  /** A shop domain besides *.myshopify.com (SHOP_CUSTOM_DOMAIN). */
  customShopDomain?: string;
}

/** Far above any payload of the topics this app subscribes to (a few kB). */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
/** Shopify's ids are UUIDs; the delivery key is stored in a 191-character column (MySQL). */
const MAX_ID_LENGTH = 100;

/**
 * One webhook request as it arrived, whichever server took it: the production server's
 * direct route hands over the raw body it read, a Remix route its Request.
 */
export interface WebhookDelivery {
  method: string;
  header(name: string): string | undefined;
  /** The raw body, at most MAX_WEBHOOK_BODY_BYTES. */
  body: Buffer;
}

/** A web Request as a delivery: refuses a body over the limit before and after reading it. */
export async function webhookDeliveryOf(request: Request): Promise<WebhookDelivery | WebhookRejection> {
  if (request.method !== "POST") return { status: 405, reason: "webhooks are POST requests" };
  if (Number(request.headers.get("Content-Length") ?? 0) > MAX_WEBHOOK_BODY_BYTES) return { status: 413, reason: "body too large" };
  const body = Buffer.from(await request.arrayBuffer());
  if (body.length > MAX_WEBHOOK_BODY_BYTES) return { status: 413, reason: "body too large" };
  return { method: request.method, header: (name) => request.headers.get(name) ?? undefined, body };
}

export async function verifyWebhookRequest(
  request: Request,
  /** When the request arrived: the event's time when Shopify does not say. */
  receivedAt: Date,
  expectations: WebhookExpectations,
): Promise<VerifiedWebhook | WebhookRejection> {
  const delivery = await webhookDeliveryOf(request);
  return isWebhookRejection(delivery) ? delivery : verifyWebhookDelivery(delivery, receivedAt, expectations);
}

export function verifyWebhookDelivery(
  delivery: WebhookDelivery,
  receivedAt: Date,
  { secret, topics, customShopDomain }: WebhookExpectations,
): VerifiedWebhook | WebhookRejection {
  if (delivery.method !== "POST") return { status: 405, reason: "webhooks are POST requests" };
  const { body } = delivery;
  if (body.length > MAX_WEBHOOK_BODY_BYTES) return { status: 413, reason: "body too large" };

  if (!hmacMatches(body, delivery.header("X-Shopify-Hmac-Sha256"), secret)) {
    return { status: 401, reason: "HMAC signature missing or wrong" };
  }

  const topic = delivery.header("X-Shopify-Topic")?.trim().toLowerCase();
  if (!topic) return { status: 400, reason: "X-Shopify-Topic header missing" };
  if (!topics.includes(topic)) {
    return { status: 400, reason: `topic ${shortened(topic, 60)} is not delivered to this address (expects ${topics.join(", ")})` };
  }
  const shop = delivery.header("X-Shopify-Shop-Domain")?.trim().toLowerCase();
  if (!shop) return { status: 400, reason: "X-Shopify-Shop-Domain header missing" };
  if (!SHOP_DOMAIN.test(shop) && shop !== customShopDomain?.toLowerCase()) {
    return { status: 400, reason: `X-Shopify-Shop-Domain ${shortened(shop, 60)} is not a shop domain` };
  }

  let payload: unknown;
  try {
    payload = JSON.parse(body.toString("utf8"));
  } catch {
    return { status: 400, reason: "body is not JSON" };
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return { status: 400, reason: "body is not a JSON object" };
  }

  const webhookId = delivery.header("X-Shopify-Webhook-Id")?.trim() || undefined;
  const eventId = delivery.header("X-Shopify-Event-Id")?.trim() || undefined;
  if ((webhookId?.length ?? 0) > MAX_ID_LENGTH || (eventId?.length ?? 0) > MAX_ID_LENGTH) {
    return { status: 400, reason: `X-Shopify-Webhook-Id and X-Shopify-Event-Id have at most ${MAX_ID_LENGTH} characters` };
  }

  return {
    shop,
    topic,
    webhookId,
    eventId,
    triggeredAt: triggeredAtOf(delivery.header("X-Shopify-Triggered-At"), receivedAt),
    payload: payload as Record<string, unknown>,
  };
}

export function isWebhookRejection<T extends object>(result: T | WebhookRejection): result is WebhookRejection {
  return "status" in result;
}

function hmacMatches(body: Buffer, header: string | undefined, secret: string): boolean {
  if (!header) return false;
  const given = Buffer.from(header.trim(), "base64");
  const expected = createHmac("sha256", secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function triggeredAtOf(header: string | undefined, receivedAt: Date): Date {
  const parsed = header ? new Date(header) : undefined;
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed : receivedAt;
}
