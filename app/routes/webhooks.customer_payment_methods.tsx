import type { ActionFunctionArgs } from "@remix-run/node";
import { onPaymentMethodChanged } from "../dunning/outside-changes.server";
import { customerPaymentMethodPayload } from "../dunning/webhook-payloads";
import { handleWebhook } from "../webhooks/webhook-handler.server";

const route = {
  topics: [
    "customer_payment_methods/create",
    "customer_payment_methods/update",
    "customer_payment_methods/revoke",
  ],
  payload: customerPaymentMethodPayload,
};

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, route, (tx, { shop, topic, payload, triggeredAt }) =>
    onPaymentMethodChanged(tx, shop, topic, payload, triggeredAt),
  );
