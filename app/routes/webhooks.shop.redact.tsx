import type { ActionFunctionArgs } from "@remix-run/node";
import { redactShop } from "../shops/compliance.server";
import { shopRedactPayload } from "../shops/webhook-payloads";
import { handleWebhook } from "../shopify/webhook-handler.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, shopRedactPayload, (tx, { shop }) => redactShop(tx, shop));
