import type { LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed } from "../cron/billing-endpoint.server";
import { metricsResponse } from "../cron/metrics-endpoint.server";

// GET /api/metrics (Bearer CRON_SECRET): Prometheus' text format, for operators and the benchmark.
export const loader = ({ request }: LoaderFunctionArgs) => metricsResponse(request);

export const action = () => methodNotAllowed("GET", "read the metrics");
