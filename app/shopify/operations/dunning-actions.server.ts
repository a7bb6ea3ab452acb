import type { AdminApiClient, AdminOperation } from "../admin-api-client.server";

// The mutations dunning applies: the final action (skip the cycle, pause or cancel the
// contract) and the customer's payment-method update email. Each answers userErrors rather
// than throwing; callers decide what an error means for the tracker.

export interface ShopifyUserError {
  field: string[] | null;
  message: string;
  code?: string | null;
}

export type MutationResult = { ok: true } | { ok: false; userErrors: ShopifyUserError[] };

const resultOf = (userErrors: ShopifyUserError[]): MutationResult => (userErrors.length === 0 ? { ok: true } : { ok: false, userErrors });

export const SubscriptionContractPause: AdminOperation<{ subscriptionContractPause: { userErrors: ShopifyUserError[] } }, { id: string }> = {
  name: "SubscriptionContractPause",
  document: `#graphql
    mutation SubscriptionContractPause($id: ID!) {
      subscriptionContractPause(subscriptionContractId: $id) {
        contract { id status }
        userErrors { field message code }
      }
    }
  `,
  estimatedCost: 10,
};

export const SubscriptionContractCancel: AdminOperation<{ subscriptionContractCancel: { userErrors: ShopifyUserError[] } }, { id: string }> = {
  name: "SubscriptionContractCancel",
  document: `#graphql
    mutation SubscriptionContractCancel($id: ID!) {
      subscriptionContractCancel(subscriptionContractId: $id) {
        contract { id status }
        userErrors { field message code }
      }
    }
  `,
  estimatedCost: 10,
};

export const SubscriptionBillingCycleSkip: AdminOperation<
  { subscriptionBillingCycleSkip: { userErrors: ShopifyUserError[] } },
  { contractId: string; cycleIndex: number }
> = {
  name: "SubscriptionBillingCycleSkip",
  document: `#graphql
    mutation SubscriptionBillingCycleSkip($contractId: ID!, $cycleIndex: Int!) {
      subscriptionBillingCycleSkip(billingCycleInput: { contractId: $contractId, selector: { index: $cycleIndex } }) {
        billingCycle { cycleIndex skipped }
        userErrors { field message code }
      }
    }
  `,
  estimatedCost: 10,
};

export const CustomerPaymentMethodSendUpdateEmail: AdminOperation<
  { customerPaymentMethodSendUpdateEmail: { userErrors: ShopifyUserError[] } },
  { paymentMethodId: string }
> = {
  name: "CustomerPaymentMethodSendUpdateEmail",
  document: `#graphql
    mutation CustomerPaymentMethodSendUpdateEmail($paymentMethodId: ID!) {
      customerPaymentMethodSendUpdateEmail(customerPaymentMethodId: $paymentMethodId) {
        customer { id }
        userErrors { field message }
      }
    }
  `,
  estimatedCost: 10,
  notRepeatable: true,
};

export async function pauseContract(client: AdminApiClient, contractId: string): Promise<MutationResult> {
  return resultOf((await client.request(SubscriptionContractPause, { id: contractId })).subscriptionContractPause.userErrors);
}

export async function cancelContract(client: AdminApiClient, contractId: string): Promise<MutationResult> {
  return resultOf((await client.request(SubscriptionContractCancel, { id: contractId })).subscriptionContractCancel.userErrors);
}

export async function skipBillingCycle(client: AdminApiClient, contractId: string, cycleIndex: number): Promise<MutationResult> {
  return resultOf((await client.request(SubscriptionBillingCycleSkip, { contractId, cycleIndex })).subscriptionBillingCycleSkip.userErrors);
}

export async function sendPaymentMethodUpdateEmail(client: AdminApiClient, paymentMethodId: string): Promise<MutationResult> {
  return resultOf((await client.request(CustomerPaymentMethodSendUpdateEmail, { paymentMethodId })).customerPaymentMethodSendUpdateEmail.userErrors);
}
