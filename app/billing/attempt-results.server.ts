import type { Prisma } from "../db/client.server";
import { applyAttemptOutcome } from "./attempt-records.server";
import { outcomeOfAttemptWebhook, type BillingAttemptWebhookPayload } from "./attempt-webhooks";

/**
 * Records a billing attempt's result from its webhook. Attempts the app did not make (no
 * record under that idempotency key) and news older than what is recorded change nothing.
 */
export async function recordAttemptResult(
  tx: Prisma.TransactionClient,
  shop: string,
  topic: string,
  payload: BillingAttemptWebhookPayload,
  receivedAt: Date,
): Promise<boolean> {
  const outcome = outcomeOfAttemptWebhook(topic, payload, receivedAt);
  return applyAttemptOutcome(tx, { shop, idempotencyKey: payload.idempotency_key }, outcome, receivedAt);
}
