import type { Prisma } from "../db/client.server";
import { settleAttempt } from "../dunning/attempt-outcomes.server";
import { outcomeOfAttemptWebhook, type BillingAttemptWebhookPayload } from "./attempt-webhooks";

/**
 * Records a billing attempt's result from its webhook (and moves its dunning tracker).
 * Attempts the app did not make (no record under that idempotency key) and news older
 * than what is recorded change nothing.
 */
export async function recordAttemptResult(
  tx: Prisma.TransactionClient,
  shop: string,
  topic: string,
  payload: BillingAttemptWebhookPayload,
  receivedAt: Date,
): Promise<boolean> {
  const outcome = outcomeOfAttemptWebhook(topic, payload, receivedAt);
  return settleAttempt(tx, { shop, idempotencyKey: payload.idempotency_key }, outcome, receivedAt);
}
