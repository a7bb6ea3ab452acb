import type { AdminApiClient } from "../shopify/admin-api-client.server";
import { fetchBillingAttempt } from "../shopify/operations/subscription-billing-attempt.server";
import { createBillingAttempts } from "../shopify/operations/subscription-billing-attempt-create.server";
import type { AttemptOutcome } from "./attempt-status";
import { outcomeOfBillingAttempt, outcomeOfCreateResult } from "./shopify-answers";

export { ATTEMPTS_PER_REQUEST } from "../shopify/operations/subscription-billing-attempt-create.server";

export interface AttemptToCharge {
  contractId: string;
  billingCycleIndex: number;
  /** Recorded before sending (attempt-records.server.ts): the same key is never charged twice. */
  idempotencyKey: string;
}

export interface SentAttempt {
  idempotencyKey: string;
  outcome: AttemptOutcome;
}

/** Sends recorded attempts (at most ATTEMPTS_PER_REQUEST) in one request; what Shopify answered for each, in order. */
export async function sendBillingAttempts(client: AdminApiClient, attempts: AttemptToCharge[]): Promise<SentAttempt[]> {
  const results = await createBillingAttempts(
    client,
    attempts.map((attempt) => ({ contractId: attempt.contractId, idempotencyKey: attempt.idempotencyKey, cycleIndex: attempt.billingCycleIndex })),
  );
  return results.map((result, i) => ({ idempotencyKey: attempts[i].idempotencyKey, outcome: outcomeOfCreateResult(result) }));
}

/** One recorded attempt (a dunning retry). */
export async function sendBillingAttempt(client: AdminApiClient, attempt: AttemptToCharge): Promise<AttemptOutcome> {
  const [sent] = await sendBillingAttempts(client, [attempt]);
  return sent.outcome;
}

/** What Shopify says now about an attempt it accepted (its webhook is late); undefined if Shopify has no such attempt. */
export async function pollBillingAttempt(client: AdminApiClient, shopifyAttemptId: string): Promise<AttemptOutcome | undefined> {
  const node = await fetchBillingAttempt(client, shopifyAttemptId);
  return node ? outcomeOfBillingAttempt(node) : undefined;
}
