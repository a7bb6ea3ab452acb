import type { ActionFunctionArgs } from "@remix-run/node";
import { redactCustomer } from "../shops/compliance.server";
import { customerPrivacyPayload } from "../shops/webhook-payloads";
import { handleWebhook } from "../webhooks/webhook-handler.server";

const route = { topics: ["customers/redact"], payload: customerPrivacyPayload };

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, route, (tx, { shop, payload }) =>
    redactCustomer(tx, shop, payload.customer.id),
  );
