import type { ActionFunctionArgs } from "@remix-run/node";
import { recordAttemptResult } from "../billing/attempt-results.server";
import { billingAttemptWebhookPayload } from "../billing/attempt-webhooks";
import { handleWebhook } from "../shopify/webhook-handler.server";

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
    recordAttemptResult(tx, shop, topic, payload, triggeredAt),
  );
