import type { ActionFunctionArgs } from "@remix-run/node";
import { followShopTimeZone } from "../schedules/schedule.server";
import { shopUpdatePayload } from "../shops/webhook-payloads";
import { handleWebhook } from "../webhooks/webhook-handler.server";

const route = { topics: ["shop/update"], payload: shopUpdatePayload };

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, route, (tx, { shop, payload, receivedAt }) =>
    followShopTimeZone(tx, shop, payload.iana_timezone, receivedAt),
  );
