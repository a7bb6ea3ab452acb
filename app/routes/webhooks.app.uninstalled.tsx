import type { ActionFunctionArgs } from "@remix-run/node";
import { forgetUninstalledShop } from "../shops/lifecycle.server";
import { anyPayload } from "../shops/webhook-payloads";
import { handleWebhook } from "../webhooks/webhook-handler.server";

const route = { topics: ["app/uninstalled"], payload: anyPayload };

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, route, (tx, { shop, triggeredAt }) => forgetUninstalledShop(tx, shop, triggeredAt));
