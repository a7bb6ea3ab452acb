import type { BillingAttemptNode } from "../shopify/operations/billing-attempt-fields";
import type { CreateBillingAttemptResult } from "../shopify/operations/subscription-billing-attempt-create.server";
import { AttemptStatus, type AttemptOutcome } from "./attempt-status";

// What Shopify's answers about an attempt mean for the app's record of it: the mutation's
// answer and a poll read the attempt's `state` union; a refusal is a user error.

/** An attempt Shopify reported (by the mutation's answer or by polling). */
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

/**
 * Shopify's answer to creating an attempt. A refusal (contract paused or terminated, cycle
 * skipped or billed elsewhere, THROTTLED...) is REJECTED with the first user error's code.
 */
export function outcomeOfCreateResult(result: CreateBillingAttemptResult): AttemptOutcome {
  if (result.accepted) return outcomeOfBillingAttempt(result.attempt);
  const [first] = result.userErrors;
  return {
    status: AttemptStatus.Rejected,
    errorCode: first?.code ?? "USER_ERROR",
    errorMessage: result.userErrors.map((error) => error.message).join("; "),
  };
}
