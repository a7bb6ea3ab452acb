import type { AdminApiClient, AdminOperation } from "../admin-api-client.server";
import { BILLING_ATTEMPT_FIELDS, type BillingAttemptNode } from "./billing-attempt-fields";

/** One attempt by id: polled when its webhook is late. */
export const SubscriptionBillingAttemptById: AdminOperation<{ subscriptionBillingAttempt: BillingAttemptNode | null }, { id: string }> = {
  name: "SubscriptionBillingAttemptById",
  document: `#graphql
    query SubscriptionBillingAttemptById($id: ID!) {
      subscriptionBillingAttempt(id: $id) {
        ${BILLING_ATTEMPT_FIELDS}
      }
    }
  `,
  estimatedCost: 5,
};

export async function fetchBillingAttempt(client: AdminApiClient, id: string): Promise<BillingAttemptNode | null> {
  return (await client.request(SubscriptionBillingAttemptById, { id })).subscriptionBillingAttempt;
}
