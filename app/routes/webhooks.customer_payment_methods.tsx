import type { ActionFunctionArgs } from "@remix-run/node";
import { onPaymentMethodChanged } from "../dunning/outside-changes.server";
import { customerPaymentMethodPayload } from "../dunning/webhook-payloads";
import { handleWebhook } from "../shopify/webhook-handler.server";

// customer_payment_methods/create, /update and /revoke.
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, customerPaymentMethodPayload, (tx, { shop, topic, payload, triggeredAt }) =>
    onPaymentMethodChanged(tx, shop, topic, payload, triggeredAt),
  );
