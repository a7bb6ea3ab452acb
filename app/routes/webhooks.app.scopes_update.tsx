import type { ActionFunctionArgs } from "@remix-run/node";
import { recordGrantedScopes } from "../shops/lifecycle.server";
import { scopesUpdatePayload } from "../shops/webhook-payloads";
import { handleWebhook } from "../shopify/webhook-handler.server";

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, scopesUpdatePayload, (tx, { shop, payload }) =>
    recordGrantedScopes(tx, shop, payload.current),
  );
