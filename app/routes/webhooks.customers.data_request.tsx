import type { ActionFunctionArgs } from "@remix-run/node";
import { collectCustomerData } from "../shops/compliance.server";
import { customerPrivacyPayload } from "../shops/webhook-payloads";
import { handleWebhook } from "../shopify/webhook-handler.server";

const route = { topics: ["customers/data_request"], payload: customerPrivacyPayload };

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, route, async (tx, { shop, payload }) => {
    const data = await collectCustomerData(tx, shop, payload.customer.id);
    console.log(`[compliance] data request ${shop} customer ${payload.customer.id}: ${JSON.stringify(data)}`);
  });
