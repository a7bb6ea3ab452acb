import type { ActionFunctionArgs } from "@remix-run/node";
import { onBillingCycleSkipped } from "../dunning/outside-changes.server";
import { billingCycleSkipPayload } from "../dunning/webhook-payloads";
import { handleWebhook } from "../shopify/webhook-handler.server";

// subscription_billing_cycles/skip.
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, billingCycleSkipPayload, (tx, { shop, payload, triggeredAt }) => onBillingCycleSkipped(tx, shop, payload, triggeredAt));
