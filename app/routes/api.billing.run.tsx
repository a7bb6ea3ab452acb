import type { ActionFunctionArgs } from "@remix-run/node";
import { handleBillingRunRequest, methodNotAllowed } from "../cron/billing-endpoint.server";

// The scheduler's entry point (README: "Billing endpoint").
export const loader = () => methodNotAllowed("POST", "run billing");

export const action = ({ request }: ActionFunctionArgs) => handleBillingRunRequest(request);
