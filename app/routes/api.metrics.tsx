import type { LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, metricsResponse } from "../cron/billing-endpoint.server";

// GET /api/metrics (Bearer CRON_SECRET): process counters for operators and the benchmark.
export const loader = ({ request }: LoaderFunctionArgs) => metricsResponse(request);

export const action = () => methodNotAllowed("GET", "read the metrics");
