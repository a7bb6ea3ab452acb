import type { ActionFunctionArgs } from "@remix-run/node";
import { redactShop } from "../shops/compliance.server";
import { shopRedactPayload } from "../shops/webhook-payloads";
import { handleWebhook } from "../webhooks/webhook-handler.server";

const route = { topics: ["shop/redact"], payload: shopRedactPayload };

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, route, (tx, { shop }) => redactShop(tx, shop));
