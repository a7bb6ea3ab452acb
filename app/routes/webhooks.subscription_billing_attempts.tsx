import type { ActionFunctionArgs } from "@remix-run/node";
import { ATTEMPT_RESULT_ROUTE, receiveAttemptResult } from "../webhooks/attempt-results-intake.server";
import { respondToWebhook } from "../webhooks/webhook-handler.server";

// Billing-attempt results. The production server answers this path itself, before Remix
// (server.ts, the same receiveAttemptResult); this route serves the dev server and tests.
export const action = ({ request }: ActionFunctionArgs) => respondToWebhook(request, receiveAttemptResult, ATTEMPT_RESULT_ROUTE.topics);
