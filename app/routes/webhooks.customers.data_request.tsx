import type { ActionFunctionArgs } from "@remix-run/node";
import { answerCustomerDataRequest } from "../shops/compliance.server";
import { customerPrivacyPayload } from "../shops/webhook-payloads";
import { logger } from "../observability/logger.server";
import { handleWebhook } from "../webhooks/webhook-handler.server";

const route = { topics: ["customers/data_request"], payload: customerPrivacyPayload };

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, route, async (tx, { shop, payload }) => {
    const held = await answerCustomerDataRequest(tx, shop, payload.customer.id);
    // Counts only: the records themselves went to the merchant.
    const records = held.dunningTrackers + held.customerRecords;
    logger().info({ event: "customer_data_request", shop, records }, `customer data request for ${shop}: ${records} record(s) reported to the merchant`);
  });
