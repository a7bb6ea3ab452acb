import type { ActionFunctionArgs } from "@remix-run/node";
import { recordGrantedScopes } from "../shops/lifecycle.server";
import { scopesUpdatePayload } from "../shops/webhook-payloads";
import { handleWebhook } from "../webhooks/webhook-handler.server";

const route = { topics: ["app/scopes_update"], payload: scopesUpdatePayload };

export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, route, (tx, { shop, payload }) =>
    recordGrantedScopes(tx, shop, payload.current),
  );
