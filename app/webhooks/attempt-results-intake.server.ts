import { recordFirstChargeSuccesses, type FirstChargeSuccess } from "../attempts/first-charge-successes.server";
import { billingAttemptWebhookPayload, type BillingAttemptWebhookPayload } from "../attempts/attempt-webhooks";
import { isDatabaseUnavailable } from "../db/errors";
import { settleAttemptFromWebhook } from "../dunning/attempt-results.server";
import type { PlainAnswer } from "../http/database-unavailable.server";
import { GroupCommit } from "../lib/group-commit";
import { logger } from "../observability/logger.server";
import { countAttemptOutcome } from "../observability/metrics.server";
import { answerWebhookDelivery, type WebhookContext } from "./webhook-handler.server";
import type { WebhookOutcome } from "./webhook-deliveries.server";
import type { WebhookDelivery } from "./webhook-request";

// subscription_billing_attempts/*: Shopify reports every billing attempt, thousands a minute
// during a billing run. The common result (a first charge paid) is recorded together with
// other deliveries that arrived meanwhile, one statement or transaction for the lot (group
// commit), and each delivery is answered only after that commit. Every other result goes
// through dunning's settleAttempt, one transaction per delivery.

export const ATTEMPT_RESULT_ROUTE = {
  topics: ["subscription_billing_attempts/success", "subscription_billing_attempts/failure", "subscription_billing_attempts/challenged"],
  payload: billingAttemptWebhookPayload,
};

/** Rows per statement: far below every provider's bound-parameter limit (7 each). */
const MAX_BATCH = 200;

type Delivered = "processed" | "full-path";

let successes: GroupCommit<FirstChargeSuccess, Delivered> | undefined;

function firstChargeSuccesses(): GroupCommit<FirstChargeSuccess, Delivered> {
  successes ??= new GroupCommit(writeSuccesses, MAX_BATCH);
  return successes;
}

async function writeSuccesses(batch: FirstChargeSuccess[]): Promise<Delivered[]> {
  // The same event twice in one batch: the first is recorded, the other goes the full way (a duplicate there).
  const firsts = new Map<string, FirstChargeSuccess>();
  for (const success of batch) if (!firsts.has(success.deliveryKey)) firsts.set(success.deliveryKey, success);
  let recorded: Set<string>;
  try {
    recorded = await recordFirstChargeSuccesses([...firsts.values()], new Date());
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw error;
    // A deadlock or a delivery recorded by another process meanwhile: each one on its own then.
    // Written for many requests at once: no one request's id.
    logger().warn(
      { event: "webhook_batch_retried", requestId: undefined, deliveries: batch.length, error },
      `a batch of ${batch.length} attempt results goes the full path`,
    );
    recorded = new Set();
  }
  countAttemptOutcome("succeeded", null, recorded.size);
  return batch.map((success) => (firsts.get(success.deliveryKey) === success && recorded.has(success.deliveryKey) ? "processed" : "full-path"));
}

/** The group commit's part: a first-charge success with a delivery id; undefined sends the delivery to the full path. */
async function tryAsFirstChargeSuccess(
  context: WebhookContext<BillingAttemptWebhookPayload> & { deliveryKey: string | undefined },
): Promise<WebhookOutcome | undefined> {
  const { topic, payload, deliveryKey } = context;
  if (!topic.endsWith("/success") || !deliveryKey) return undefined;
  const shopifyAttemptId =
    payload.admin_graphql_api_id ?? (payload.id != null ? `gid://shopify/SubscriptionBillingAttempt/${payload.id}` : null);
  const result = await firstChargeSuccesses().submit({
    deliveryKey,
    shop: context.shop,
    topic,
    idempotencyKey: payload.idempotency_key,
    shopifyAttemptId,
    orderId: payload.admin_graphql_api_order_id ?? null,
    completedAt: context.triggeredAt,
  });
  return result === "processed" ? "processed" : undefined;
}

/** One result webhook, from the production server's direct route or from the Remix route. */
export function receiveAttemptResult(delivery: WebhookDelivery, receivedAt: Date): Promise<PlainAnswer> {
  return answerWebhookDelivery(
    delivery,
    receivedAt,
    ATTEMPT_RESULT_ROUTE,
    (tx, { shop, topic, payload, triggeredAt }) => settleAttemptFromWebhook(tx, shop, topic, payload, triggeredAt),
    { tryFirst: tryAsFirstChargeSuccess, quiet: true },
  );
}
