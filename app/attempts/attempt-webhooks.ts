import { z } from "zod";
import { AttemptStatus, type AttemptOutcome } from "./attempt-status";

const numericId = z.union([z.number().int(), z.string().regex(/^\d+$/)]);

/**
 * subscription_billing_attempts/success|failure|challenged bodies (REST-style, snake_case;
 * error codes arrive lowercase). The idempotency key finds the app's own record; the rest
 * may be null (Shopify's sample payloads carry `id` and `admin_graphql_api_id` as null).
 */
export const billingAttemptWebhookPayload = z
  .object({
    id: numericId.nullish(),
    admin_graphql_api_id: z.string().min(1).nullish(),
    idempotency_key: z.string().min(1),
    admin_graphql_api_order_id: z.string().nullish(),
    admin_graphql_api_subscription_contract_id: z.string().nullish(),
    error_code: z.string().nullish(),
    error_message: z.string().nullish(),
  })
  .passthrough();

export type BillingAttemptWebhookPayload = z.infer<typeof billingAttemptWebhookPayload>;

/** What a delivery says about the attempt; `topic` as X-Shopify-Topic names it (subscription_billing_attempts/success). */
export function outcomeOfAttemptWebhook(topic: string, payload: BillingAttemptWebhookPayload, receivedAt: Date): AttemptOutcome {
  const normalizedTopic = topic.toLowerCase().replace(/\//g, "_");
  const shopifyAttemptId =
    payload.admin_graphql_api_id ?? (payload.id != null ? `gid://shopify/SubscriptionBillingAttempt/${payload.id}` : undefined);
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
