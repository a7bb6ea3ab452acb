import type { ActionFunctionArgs } from "@remix-run/node";
import { onBillingCycleSkipped } from "../dunning/outside-changes.server";
import { billingCycleSkipPayload } from "../dunning/webhook-payloads";
import { handleWebhook } from "../webhooks/webhook-handler.server";

const route = { topics: ["subscription_billing_cycles/skip"], payload: billingCycleSkipPayload };

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, route, (tx, { shop, payload, triggeredAt, receivedAt }) =>
    onBillingCycleSkipped(tx, shop, payload, triggeredAt, receivedAt),
  );
