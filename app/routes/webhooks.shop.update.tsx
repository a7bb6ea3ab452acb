import type { ActionFunctionArgs } from "@remix-run/node";
import { followShopTimeZone } from "../billing/schedule.server";
import { shopUpdatePayload } from "../shops/webhook-payloads";
import { handleWebhook } from "../shopify/webhook-handler.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, shopUpdatePayload, (tx, { shop, payload }) => followShopTimeZone(tx, shop, payload.iana_timezone));
