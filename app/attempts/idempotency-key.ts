/**
 * The idempotency key of one billing attempt: deterministic in (contract, billing cycle,
 * attempt number), so every process that ever sends this attempt sends the same key and
 * Shopify charges at most once. Attempt 1 is the scheduled charge; dunning retries count up.
 */
export function billingAttemptIdempotencyKey(contractId: string, billingCycleIndex: number, attemptNumber: number): string {
  if (!Number.isInteger(billingCycleIndex) || billingCycleIndex < 0) {
    throw new RangeError(`billing cycle index must be a non-negative integer, got ${billingCycleIndex}`);
  }
  if (!Number.isInteger(attemptNumber) || attemptNumber < 1) {
    throw new RangeError(`attempt number must be a positive integer, got ${attemptNumber}`);
  }
  return `billing-${numericIdOf(contractId)}-cycle-${billingCycleIndex}-attempt-${attemptNumber}`;
}

/** "gid://shopify/SubscriptionContract/123" -> "123" (Shopify's ids are unique across shops). */
export function numericIdOf(gid: string): string {
  const match = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)$/.exec(gid);
  if (!match) throw new RangeError(`not a Shopify GID: "${gid}"`);
  return match[1];
}

/** The cycle and attempt a key of ours names; undefined for keys the app did not make. */
export function parseBillingAttemptIdempotencyKey(key: string): { contractNumericId: string; billingCycleIndex: number; attemptNumber: number } | undefined {
  const match = /^billing-(\d+)-cycle-(\d+)-attempt-(\d+)$/.exec(key);
  if (!match) return undefined;
  return { contractNumericId: match[1], billingCycleIndex: Number(match[2]), attemptNumber: Number(match[3]) };
}
