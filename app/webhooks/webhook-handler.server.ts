import type { z } from "zod";
import type { Prisma } from "../db/client.server";
import { databaseUnavailableResponse } from "../http/database-unavailable.server";
import { countWebhook } from "../observability/metrics.server";
import { appConfig } from "../config/app-config.server";
import { processWebhookOnce } from "./webhook-deliveries.server";
import { isWebhookRejection, verifyWebhookRequest, type VerifiedWebhook } from "./webhook-request";

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

/**
 * The whole life of a webhook request: verify it (401 for a wrong HMAC, 400 for a malformed
 * body, headers or a topic this route does not take; nothing changes), then run the handler
 * once per event. A JSON body without what the handler needs (a shape Shopify documents but
 * this app cannot act on) is acknowledged with 200 and logged, so Shopify does not retry it
 * for hours and then drop the subscription.
 */
export async function handleWebhook<Schema extends z.ZodTypeAny>(
  request: Request,
  route: WebhookRoute<Schema>,
  handler: (tx: Prisma.TransactionClient, context: WebhookContext<z.infer<Schema>>) => Promise<unknown>,
): Promise<Response> {
  const receivedAt = new Date();
  const env = appConfig();
  const verified = await verifyWebhookRequest(request, receivedAt, {
    secret: env.SHOPIFY_API_SECRET,
    topics: route.topics,
    customShopDomain: env.SHOP_CUSTOM_DOMAIN,
  });
  if (isWebhookRejection(verified)) {
    countWebhook("rejected");
    return new Response(verified.reason, { status: verified.status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  const { shop, topic, triggeredAt } = verified;
  const key = deliveryKey(verified);
  const parsed = route.payload.safeParse(verified.payload);
  if (!parsed.success) {
    countWebhook("ignored");
    // Field paths and zod's messages only: never the values, which may be personal data.
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`);
    console.warn(`[webhook] ${topic} ${shop} ${key ?? "(no id)"}: ignored, nothing to act on (${problems.join("; ")})`);
    return new Response(null, { status: 200 });
  }
  const payload = parsed.data as z.infer<Schema>;
  let outcome;
  try {
    outcome = await processWebhookOnce({ deliveryKey: key, shop, topic }, async (tx) => {
      await handler(tx, { shop, topic, payload, triggeredAt, receivedAt });
    });
  } catch (error) {
    // Shopify redelivers a 503; the transaction left nothing half-done.
    const unavailable = databaseUnavailableResponse(error);
    if (unavailable) return unavailable;
    throw error;
  }
  countWebhook(outcome);
  console.log(`[webhook] ${topic} ${shop} ${key ?? "(no id)"}: ${outcome}`);
  return new Response(null, { status: 200 });
}

/**
 * The event id when Shopify sends one (the same event delivered again under a new webhook
 * id), otherwise the delivery's own id (its retries).
 */
function deliveryKey({ eventId, webhookId }: VerifiedWebhook): string | undefined {
  return eventId ? `event:${eventId}` : webhookId;
}
