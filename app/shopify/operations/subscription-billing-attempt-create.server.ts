import type { AdminApiClient, AdminOperation } from "../admin-api-client.server";
import { BILLING_ATTEMPT_FIELDS, type BillingAttemptNode } from "./billing-attempt-fields";

// Charges billing cycles: one aliased `subscriptionBillingAttemptCreate` per cycle, several per
// request (Shopify runs a request's mutations one after another). Each carries its own
// idempotency key, so re-sending a whole request after a lost answer charges nothing twice.

export interface BillingAttemptUserError {
  field: string[] | null;
  message: string;
  code: string | null;
}

interface CreatePayload {
  subscriptionBillingAttempt: BillingAttemptNode | null;
  userErrors: BillingAttemptUserError[];
}

export interface BillingAttemptRequest {
  contractId: string;
  idempotencyKey: string;
  cycleIndex: number;
}

export type CreateBillingAttemptResult =
  | { accepted: true; attempt: BillingAttemptNode }
  | { accepted: false; userErrors: BillingAttemptUserError[] };

/** Mutations per request: ~13 requested points each, far below Shopify's 1000-point cap. */
export const ATTEMPTS_PER_REQUEST = 25;

const operations = new Map<number, AdminOperation<Record<string, CreatePayload>, Record<string, unknown>>>();

/** The mutation for `count` attempts ($contractN, $keyN, $cycleN), built once per size. */
export function billingAttemptCreateOperation(count: number): AdminOperation<Record<string, CreatePayload>, Record<string, unknown>> {
  let operation = operations.get(count);
  if (!operation) {
    const indexes = Array.from({ length: count }, (_, i) => i);
    const name = `SubscriptionBillingAttemptCreate${count}`;
    operation = {
      name,
      document: `#graphql
        mutation ${name}(${indexes.map((i) => `$contract${i}: ID!, $key${i}: String!, $cycle${i}: Int!`).join(", ")}) {
          ${indexes
            .map(
              (i) => `a${i}: subscriptionBillingAttemptCreate(
            subscriptionContractId: $contract${i}
            subscriptionBillingAttemptInput: { idempotencyKey: $key${i}, billingCycleSelector: { index: $cycle${i} } }
          ) {
            subscriptionBillingAttempt { ${BILLING_ATTEMPT_FIELDS} }
            userErrors { field message code }
          }`,
            )
            .join("\n")}
        }
      `,
      estimatedCost: 15 * count,
    };
    operations.set(count, operation);
  }
  return operation;
}

/** Sends the attempts (at most ATTEMPTS_PER_REQUEST) in one request; results in input order. */
export async function createBillingAttempts(client: AdminApiClient, attempts: BillingAttemptRequest[]): Promise<CreateBillingAttemptResult[]> {
  if (attempts.length === 0) return [];
  if (attempts.length > ATTEMPTS_PER_REQUEST) throw new RangeError(`at most ${ATTEMPTS_PER_REQUEST} attempts per request`);
  const variables: Record<string, unknown> = {};
  attempts.forEach((attempt, i) => {
    variables[`contract${i}`] = attempt.contractId;
    variables[`key${i}`] = attempt.idempotencyKey;
    variables[`cycle${i}`] = attempt.cycleIndex;
  });
  const data = await client.request(billingAttemptCreateOperation(attempts.length), variables);
  return attempts.map((_, i) => {
    const payload = data[`a${i}`];
    if (payload.userErrors.length > 0 || !payload.subscriptionBillingAttempt) return { accepted: false, userErrors: payload.userErrors };
    return { accepted: true, attempt: payload.subscriptionBillingAttempt };
  });
}

/** One attempt (a dunning retry, a test): the same mutation with a single alias. */
export async function createBillingAttempt(client: AdminApiClient, attempt: BillingAttemptRequest): Promise<CreateBillingAttemptResult> {
  const [result] = await createBillingAttempts(client, [attempt]);
  return result;
}
