import type { ActionFunctionArgs } from "@remix-run/node";
import { onContractUpdated } from "../dunning/outside-changes.server";
import { subscriptionContractPayload } from "../dunning/webhook-payloads";
import { handleWebhook } from "../shopify/webhook-handler.server";

// subscription_contracts/update.
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, subscriptionContractPayload, (tx, { shop, payload, triggeredAt }) => onContractUpdated(tx, shop, payload, triggeredAt));
