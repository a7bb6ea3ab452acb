import type { z } from "zod";
import { appConfig } from "../config/app-config.server";
import type { Prisma } from "../db/client.server";
import { databaseUnavailableAnswer, responseOf, type PlainAnswer } from "../http/database-unavailable.server";
import { logger } from "../observability/logger.server";
import { countWebhook, OTHER_TOPIC, type WebhookResult } from "../observability/metrics.server";
import { processWebhookOnce, type WebhookOutcome } from "./webhook-deliveries.server";
import { isWebhookRejection, verifyWebhookDelivery, webhookDeliveryOf, type VerifiedWebhook, type WebhookDelivery } from "./webhook-request";

export interface WebhookContext<Payload> {
  shop: string;
  topic: string;
  payload: Payload;
  /**
   * When Shopify raised the event (X-Shopify-Triggered-At), not when it reached us: a
   * redelivery hours later still dates a failure, and so its retries, from the failure.
   */
  triggeredAt: Date;
  /** When the delivery reached this process, on the real clock (leases are compared with it). */
  receivedAt: Date;
}

export interface WebhookRoute<Schema extends z.ZodTypeAny> {
  /** The topics shopify.app.toml sends to this route; any other is refused (400). */
  topics: readonly string[];
  /** What the handler needs of the body; a body it cannot use is logged and acknowledged. */
  payload: Schema;
}

export type WebhookHandler<Payload> = (tx: Prisma.TransactionClient, context: WebhookContext<Payload>) => Promise<unknown>;

export interface DeliveryOptions<Payload> {
  /**
   * Tried before the handler: records the delivery in a cheaper way when it can, and says
   * how it went; undefined sends it to the handler (attempt results: many at once).
   */
  tryFirst?: (context: WebhookContext<Payload> & { deliveryKey: string | undefined }) => Promise<WebhookOutcome | undefined>;
  /** No log line per delivery (the high-volume result webhooks are counted, not logged). */
  quiet?: boolean;
}

/** A Remix route's webhook: the delivery from its Request, the answer as a Response. */
export function handleWebhook<Schema extends z.ZodTypeAny>(
  request: Request,
  route: WebhookRoute<Schema>,
  handler: WebhookHandler<z.infer<Schema>>,
  options: DeliveryOptions<z.infer<Schema>> = {},
): Promise<Response> {
  return respondToWebhook(request, (delivery, receivedAt) => answerWebhookDelivery(delivery, receivedAt, route, handler, options), route.topics);
}

/** A Request given to a function that answers deliveries (a 405 or 413 never reaches it). */
export async function respondToWebhook(
  request: Request,
  answer: (delivery: WebhookDelivery, receivedAt: Date) => Promise<PlainAnswer>,
  topics: readonly string[] = [],
): Promise<Response> {
  const receivedAt = new Date();
  const delivery = await webhookDeliveryOf(request);
  if (isWebhookRejection(delivery)) {
    return responseOf(rejected(delivery, topicLabel(request.headers.get("X-Shopify-Topic") ?? undefined, topics), receivedAt));
  }
  return responseOf(await answer(delivery, receivedAt));
}

/**
 * The whole life of a webhook delivery: verify it (401 for a wrong HMAC, 400 for a malformed
 * body, headers or a topic this route does not take; nothing changes), then run the handler
 * once per event. A JSON body without what the handler needs (a shape Shopify documents but
 * this app cannot act on) is acknowledged with 200 and logged, so Shopify does not retry it
 * for hours and then drop the subscription. The answer leaves only after the commit.
 */
export async function answerWebhookDelivery<Schema extends z.ZodTypeAny>(
  delivery: WebhookDelivery,
  receivedAt: Date,
  route: WebhookRoute<Schema>,
  handler: WebhookHandler<z.infer<Schema>>,
  options: DeliveryOptions<z.infer<Schema>> = {},
): Promise<PlainAnswer> {
  const env = appConfig();
  const verified = verifyWebhookDelivery(delivery, receivedAt, {
    secret: env.SHOPIFY_API_SECRET,
    topics: route.topics,
    customShopDomain: env.SHOP_CUSTOM_DOMAIN,
  });
  if (isWebhookRejection(verified)) return rejected(verified, topicLabel(delivery.header("X-Shopify-Topic"), route.topics), receivedAt);
  const { shop, topic, triggeredAt } = verified;
  const key = deliveryKey(verified);
  const parsed = route.payload.safeParse(verified.payload);
  if (!parsed.success) {
    count(topic, "ignored", receivedAt);
    // Field paths and zod's messages only: never the values, which may be personal data.
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`);
    logger().warn(
      { event: "webhook_ignored", topic, shop, deliveryKey: key, problems },
      `webhook ${topic} from ${shop} ignored, nothing to act on (${problems.join("; ")})`,
    );
    return { status: 200 };
  }
  const context: WebhookContext<z.infer<Schema>> = { shop, topic, payload: parsed.data, triggeredAt, receivedAt };
  let outcome: WebhookOutcome;
  try {
    outcome =
      (await options.tryFirst?.({ ...context, deliveryKey: key })) ??
      (await processWebhookOnce({ deliveryKey: key, shop, topic }, (tx) => handler(tx, context).then(() => undefined)));
  } catch (error) {
    // Shopify redelivers a 503; the transaction left nothing half-done.
    const unavailable = databaseUnavailableAnswer(error);
    if (unavailable) {
      count(topic, "unavailable", receivedAt);
      return unavailable;
    }
    throw error;
  }
  count(topic, outcome, receivedAt);
  // The result webhooks (thousands a minute) are counted, not logged.
  if (!options.quiet) logger().info({ event: `webhook_${outcome}`, topic, shop, deliveryKey: key }, `webhook ${topic} from ${shop}: ${outcome}`);
  return { status: 200 };
}

function count(topic: string, result: WebhookResult, receivedAt: Date): void {
  countWebhook(topic, result, Math.max(0, Date.now() - receivedAt.getTime()) / 1000);
}

/** The topic a delivery names, when it is one the route takes (a rejected delivery's header is anyone's). */
function topicLabel(header: string | undefined, topics: readonly string[]): string {
  const topic = header?.trim().toLowerCase();
  return topic && topics.includes(topic) ? topic : OTHER_TOPIC;
}

function rejected(rejection: { status: number; reason: string }, topic: string, receivedAt: Date): PlainAnswer {
  count(topic, "rejected", receivedAt);
  // One line per refusal: a burst of them is what an operator looks for (a wrong secret, a probe).
  logger().warn(
    { event: "webhook_rejected", topic, status: rejection.status, reason: rejection.reason },
    `webhook refused with ${rejection.status}: ${rejection.reason}`,
  );
  return { status: rejection.status, text: rejection.reason, headers: { "Content-Type": "text/plain; charset=utf-8" } };
}

/**
 * The event id when Shopify sends one (the same event delivered again under a new webhook
 * id), otherwise the delivery's own id (its retries).
 */
function deliveryKey({ eventId, webhookId }: VerifiedWebhook): string | undefined {
  return eventId ? `event:${eventId}` : webhookId;
}
