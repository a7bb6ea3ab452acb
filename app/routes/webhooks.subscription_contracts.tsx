import type { ActionFunctionArgs } from "@remix-run/node";
import { onContractUpdated } from "../dunning/outside-changes.server";
import { subscriptionContractPayload } from "../dunning/webhook-payloads";
import { handleWebhook } from "../webhooks/webhook-handler.server";

const route = { topics: ["subscription_contracts/update"], payload: subscriptionContractPayload };

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, route, (tx, { shop, payload, triggeredAt, receivedAt }) =>
    onContractUpdated(tx, shop, payload, triggeredAt, receivedAt),
  );
