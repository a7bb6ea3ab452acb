import prisma from "../db.server";

/** Shopify retries a delivery for up to 48 hours; a week of delivery ids is ample to dedupe. */
export const PROCESSED_WEBHOOK_RETENTION_MS = 7 * 24 * 3600_000;

/** Forgets old webhook delivery ids (indexed by processedAt, so this stays cheap). */
export async function pruneProcessedWebhooks(realNow: Date): Promise<number> {
  const { count } = await prisma.processedWebhook.deleteMany({
    where: { processedAt: { lt: new Date(realNow.getTime() - PROCESSED_WEBHOOK_RETENTION_MS) } },
  });
  return count;
}
