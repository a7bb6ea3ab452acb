import { z } from "zod";
import { AttemptStatus, type AttemptOutcome } from "./attempt-status";

/**
 * subscription_billing_attempts/success|failure|challenged bodies (REST-style, snake_case;
 * error codes arrive lowercase). Parsed, never cast: a malformed body is answered 400.
 */
export const billingAttemptWebhookPayload = z
  .object({
    admin_graphql_api_id: z.string().min(1),
    idempotency_key: z.string().min(1),
    admin_graphql_api_order_id: z.string().nullish(),
    admin_graphql_api_subscription_contract_id: z.string().min(1),
    error_code: z.string().nullish(),
    error_message: z.string().nullish(),
  })
  .passthrough();

export type BillingAttemptWebhookPayload = z.infer<typeof billingAttemptWebhookPayload>;

/** What a delivery says about the attempt; `topic` as shopify-app-remix reports it (SUBSCRIPTION_BILLING_ATTEMPTS_SUCCESS). */
export function outcomeOfAttemptWebhook(topic: string, payload: BillingAttemptWebhookPayload, receivedAt: Date): AttemptOutcome {
  const normalizedTopic = topic.toLowerCase().replace(/\//g, "_");
  const shopifyAttemptId = payload.admin_graphql_api_id;
  if (normalizedTopic.endsWith("_success")) {
    return { status: AttemptStatus.Succeeded, shopifyAttemptId, orderId: payload.admin_graphql_api_order_id ?? null, completedAt: receivedAt };
  }
  if (normalizedTopic.endsWith("_challenged")) {
    return { status: AttemptStatus.ActionRequired, shopifyAttemptId, errorMessage: payload.error_message ?? "3-D Secure challenge" };
  }
  if (normalizedTopic.endsWith("_failure")) {
    return {
      status: AttemptStatus.Failed,
      shopifyAttemptId,
      errorCode: payload.error_code ? payload.error_code.toUpperCase() : null,
      errorMessage: payload.error_message ?? null,
      completedAt: receivedAt,
    };
  }
  throw new RangeError(`not a billing attempt topic: ${topic}`);
}
