import type { z } from "zod";
import type { Prisma } from "../db/client.server";
import { countWebhook } from "../metrics.server";
import { authenticate } from "../shopify.server";
import { processWebhookOnce } from "./webhook-deliveries.server";

export interface WebhookContext<Payload> {
  shop: string;
  topic: string;
  payload: Payload;
  /**
   * When Shopify raised the event (X-Shopify-Triggered-At), not when it reached us: a
   * redelivery hours later still dates a failure, and so its retries, from the failure.
   */
  triggeredAt: Date;
}

function triggeredAtOf(request: Request): Date {
  const header = request.headers.get("X-Shopify-Triggered-At");
  const parsed = header ? new Date(header) : undefined;
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed : new Date();
}

/**
 * The whole life of a webhook request: verify the HMAC (401 and nothing changes when it
 * is wrong), parse the body (400 when malformed), run the handler once per delivery id.
 */
export async function handleWebhook<Schema extends z.ZodTypeAny>(
  request: Request,
  payloadSchema: Schema,
  handler: (tx: Prisma.TransactionClient, context: WebhookContext<z.infer<Schema>>) => Promise<unknown>,
): Promise<Response> {
  const triggeredAt = triggeredAtOf(request);
  const { shop, topic, webhookId, payload: rawPayload } = await authenticate.webhook(request);
  const parsed = payloadSchema.safeParse(rawPayload);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`);
    return new Response(`Malformed ${topic} payload: ${problems.join("; ")}`, { status: 400 });
  }
  const payload = parsed.data as z.infer<Schema>;
  const outcome = await processWebhookOnce({ webhookId, shop, topic }, async (tx) => {
    await handler(tx, { shop, topic, payload, triggeredAt });
  });
  countWebhook(outcome);
  console.log(`[webhook] ${topic} ${shop} ${webhookId ?? "(no id)"}: ${outcome}`);
  return new Response(null, { status: 200 });
}
