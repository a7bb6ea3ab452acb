import { AttemptStatus, type AttemptOutcome } from "../../billing/attempt-status";

/**
 * The fields every billing-attempt operation selects, and how the app reads them. In
 * 2026-10 an attempt's outcome is the `state` union; each error type has its own code
 * enum, so the codes are aliased apart (same-named fields of different enum types would
 * not merge in one selection).
 */
export const BILLING_ATTEMPT_FIELDS = `#graphql
  id
  idempotencyKey
  completedAt
  state {
    __typename
    ... on SubscriptionBillingAttemptSuccessState { order { id } }
    ... on SubscriptionBillingAttemptFailedState {
      error {
        __typename
        ... on SubscriptionBillingAttemptPaymentError { paymentErrorCode: code }
        ... on SubscriptionBillingAttemptInventoryError { inventoryErrorCode: code }
        ... on SubscriptionBillingAttemptGeneralError { generalErrorCode: code }
        ... on SubscriptionBillingAttemptUnexpectedError { unexpectedErrorMessage: message }
      }
    }
    ... on SubscriptionBillingAttemptActionRequiredState { action { __typename } }
  }
`;

export interface BillingAttemptNode {
  id: string;
  idempotencyKey: string;
  completedAt: string | null;
  state:
    | { __typename: "SubscriptionBillingAttemptPendingState" }
    | { __typename: "SubscriptionBillingAttemptSuccessState"; order: { id: string } | null }
    | { __typename: "SubscriptionBillingAttemptFailedState"; error: BillingAttemptErrorNode }
    | { __typename: "SubscriptionBillingAttemptActionRequiredState"; action: { __typename: string } };
}

export interface BillingAttemptErrorNode {
  __typename: string;
  paymentErrorCode?: string;
  inventoryErrorCode?: string;
  generalErrorCode?: string;
  unexpectedErrorMessage?: string;
}

/** What the app records for an attempt Shopify reported (by mutation answer or polling). */
export function outcomeOfBillingAttempt(node: BillingAttemptNode): AttemptOutcome {
  const base = { shopifyAttemptId: node.id, completedAt: node.completedAt ? new Date(node.completedAt) : null };
  switch (node.state.__typename) {
    case "SubscriptionBillingAttemptSuccessState":
      return { ...base, status: AttemptStatus.Succeeded, orderId: node.state.order?.id ?? null };
    case "SubscriptionBillingAttemptFailedState": {
      const { error } = node.state;
      const code = error.paymentErrorCode ?? error.inventoryErrorCode ?? error.generalErrorCode ?? "UNEXPECTED_ERROR";
      return { ...base, status: AttemptStatus.Failed, errorCode: code, errorMessage: error.unexpectedErrorMessage ?? error.__typename };
    }
    case "SubscriptionBillingAttemptActionRequiredState":
      return { ...base, status: AttemptStatus.ActionRequired, errorMessage: node.state.action.__typename };
    default:
      return { ...base, status: AttemptStatus.Processing };
  }
}
