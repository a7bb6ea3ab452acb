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
