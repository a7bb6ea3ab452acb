import type { ActionFunctionArgs } from "@remix-run/node";
import { forgetUninstalledShop } from "../shops/lifecycle.server";
import { anyPayload } from "../shops/webhook-payloads";
import { handleWebhook } from "../shopify/webhook-handler.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, anyPayload, (tx, { shop, triggeredAt }) => forgetUninstalledShop(tx, shop, triggeredAt));
