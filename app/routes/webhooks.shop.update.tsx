import type { ActionFunctionArgs } from "@remix-run/node";
import { followShopTimeZone } from "../billing/schedule.server";
import { shopUpdatePayload } from "../shops/webhook-payloads";
import { handleWebhook } from "../shopify/webhook-handler.server";

const route = { topics: ["shop/update"], payload: shopUpdatePayload };

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, route, (tx, { shop, payload }) => followShopTimeZone(tx, shop, payload.iana_timezone));
