import type { Prisma } from "../db/client.server";
import { isUniqueConstraintViolation } from "../db/errors";
import { prisma } from "../db/app-database.server";

export interface WebhookDelivery {
  /**
   * What makes two deliveries the same: the event id (or, without one, the webhook id),
   * stored in ProcessedWebhook.webhookId.
   */
  deliveryKey: string | undefined;
  shop: string;
  topic: string;
}

const TRANSACTION_LIMITS = { maxWait: 10_000, timeout: 15_000 };

export type WebhookOutcome = "processed" | "duplicate";

/**
 * Runs `handle` once per delivery: the delivery id is recorded in the same transaction as
 * the handler's writes (under a unique key), so a retried or concurrent duplicate delivery
 * rolls back and changes nothing, and a failed one (answered 500) is processed again when
 * Shopify retries it.
 */
export async function processWebhookOnce(
  delivery: WebhookDelivery,
  handle: (tx: Prisma.TransactionClient) => Promise<void>,
): Promise<WebhookOutcome> {
  const { deliveryKey, shop, topic } = delivery;
  if (!deliveryKey) {
    // Shopify always sends an id; without one, rely on the handler being idempotent.
    await prisma().$transaction(handle, TRANSACTION_LIMITS);
    return "processed";
  }
  try {
    await prisma().$transaction(
      async (tx) => {
        await handle(tx);
        // Last, so a handler that clears the shop's rows (shop/redact) keeps this one.
        try {
          await tx.processedWebhook.create({ data: { webhookId: deliveryKey, shop, topic } });
        } catch (error) {
          throw isUniqueConstraintViolation(error) ? new DuplicateDelivery() : error;
        }
      },
      // Billing runs send bursts of result webhooks; queue for a connection rather than fail
      // (Prisma's default waits only 2 s, and a failure costs a Shopify redelivery).
      TRANSACTION_LIMITS,
    );
    return "processed";
  } catch (error) {
    if (error instanceof DuplicateDelivery) return "duplicate";
    throw error;
  }
}

/** The delivery id was recorded already (by an earlier or a concurrent delivery): roll back. */
class DuplicateDelivery extends Error {}

/** Shopify retries a delivery for up to 48 hours; a week of delivery ids is ample to dedupe. */
export const PROCESSED_WEBHOOK_RETENTION_MS = 7 * 24 * 3600_000;

/** Forgets old webhook delivery ids (indexed by processedAt, so this stays cheap). */
export async function pruneProcessedWebhooks(realNow: Date): Promise<number> {
  const { count } = await prisma().processedWebhook.deleteMany({
    where: { processedAt: { lt: new Date(realNow.getTime() - PROCESSED_WEBHOOK_RETENTION_MS) } },
  });
  return count;
}
