import type { ActionFunctionArgs } from "@remix-run/node";
import { handleBillingRunRequest, methodNotAllowed } from "../cron/billing-endpoint.server";

// The scheduler's entry point (docs/billing-endpoint.md).
export const loader = () => methodNotAllowed("POST", "run billing");

export const action = ({ request }: ActionFunctionArgs) => handleBillingRunRequest(request);
