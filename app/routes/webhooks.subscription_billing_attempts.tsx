import type { ActionFunctionArgs } from "@remix-run/node";
import { recordAttemptResult } from "../billing/attempt-results.server";
import { billingAttemptWebhookPayload } from "../billing/attempt-webhooks";
import { handleWebhook } from "../shopify/webhook-handler.server";

// subscription_billing_attempts/success, /failure and /challenged (one route, the topic tells them apart).
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, billingAttemptWebhookPayload, (tx, { shop, topic, payload, triggeredAt }) =>
    recordAttemptResult(tx, shop, topic, payload, triggeredAt),
  );
