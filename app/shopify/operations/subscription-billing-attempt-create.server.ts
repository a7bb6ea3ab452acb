import type { AdminApiClient, AdminOperation } from "../admin-api-client.server";
import { BILLING_ATTEMPT_FIELDS, type BillingAttemptNode } from "./billing-attempt-state";

/** Charges one billing cycle of one contract; Shopify dedupes by the idempotency key. */
export const SubscriptionBillingAttemptCreate: AdminOperation<
  SubscriptionBillingAttemptCreateData,
  { contractId: string; idempotencyKey: string; cycleIndex: number }
> = {
  name: "SubscriptionBillingAttemptCreate",
  document: `#graphql
    mutation SubscriptionBillingAttemptCreate($contractId: ID!, $idempotencyKey: String!, $cycleIndex: Int!) {
      subscriptionBillingAttemptCreate(
        subscriptionContractId: $contractId
        subscriptionBillingAttemptInput: { idempotencyKey: $idempotencyKey, billingCycleSelector: { index: $cycleIndex } }
      ) {
        subscriptionBillingAttempt {
          ${BILLING_ATTEMPT_FIELDS}
        }
        userErrors {
          field
          message
          code
        }
      }
    }
  `,
  estimatedCost: 15,
};

export interface BillingAttemptUserError {
  field: string[] | null;
  message: string;
  code: string | null;
}

interface SubscriptionBillingAttemptCreateData {
  subscriptionBillingAttemptCreate: {
    subscriptionBillingAttempt: BillingAttemptNode | null;
    userErrors: BillingAttemptUserError[];
  };
}

export type CreateBillingAttemptResult =
  | { accepted: true; attempt: BillingAttemptNode }
  | { accepted: false; userErrors: BillingAttemptUserError[] };

export async function createBillingAttempt(
  client: AdminApiClient,
  input: { contractId: string; idempotencyKey: string; cycleIndex: number },
): Promise<CreateBillingAttemptResult> {
  const { subscriptionBillingAttemptCreate: payload } = await client.request(SubscriptionBillingAttemptCreate, input);
  if (payload.userErrors.length > 0 || !payload.subscriptionBillingAttempt) {
    return { accepted: false, userErrors: payload.userErrors };
  }
  return { accepted: true, attempt: payload.subscriptionBillingAttempt };
}
