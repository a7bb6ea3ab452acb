import type { ActionFunctionArgs } from "@remix-run/node";
import { billingAttemptWebhookPayload } from "../attempts/attempt-webhooks";
import { settleAttemptFromWebhook } from "../dunning/attempt-results.server";
import { handleWebhook } from "../webhooks/webhook-handler.server";

const route = {
  topics: [
    "subscription_billing_attempts/success",
    "subscription_billing_attempts/failure",
    "subscription_billing_attempts/challenged",
  ],
  payload: billingAttemptWebhookPayload,
};

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, route, (tx, { shop, topic, payload, triggeredAt }) =>
    settleAttemptFromWebhook(tx, shop, topic, payload, triggeredAt),
  );
