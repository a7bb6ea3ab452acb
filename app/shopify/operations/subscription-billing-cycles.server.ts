import type { AdminApiClient, AdminOperation } from "../admin-api-client.server";

/** A contract's billing cycles expected within a date range (the catch-up window). */
export const SubscriptionBillingCyclesInRange: AdminOperation<
  SubscriptionBillingCyclesData,
  { contractId: string; startDate: string; endDate: string; first: number }
> = {
  name: "SubscriptionBillingCyclesInRange",
  document: `#graphql
    query SubscriptionBillingCyclesInRange($contractId: ID!, $startDate: DateTime!, $endDate: DateTime!, $first: Int!) {
      subscriptionBillingCycles(
        contractId: $contractId
        first: $first
        billingCyclesDateRangeSelector: { startDate: $startDate, endDate: $endDate }
      ) {
        nodes {
          cycleIndex
          billingAttemptExpectedDate
          status
          skipped
        }
      }
    }
  `,
  estimatedCost: 12,
};

export interface SubscriptionBillingCycle {
  cycleIndex: number;
  billingAttemptExpectedDate: string;
  status: "BILLED" | "UNBILLED";
  skipped: boolean;
}

interface SubscriptionBillingCyclesData {
  subscriptionBillingCycles: { nodes: SubscriptionBillingCycle[] };
}

// Even a daily contract has few cycles in a 48-hour window; a wider window still fits.
const MAX_CYCLES_IN_WINDOW = 10;

export async function fetchBillingCyclesInRange(
  client: AdminApiClient,
  contractId: string,
  range: { start: Date; end: Date },
): Promise<SubscriptionBillingCycle[]> {
  const data = await client.request(SubscriptionBillingCyclesInRange, {
    contractId,
    startDate: range.start.toISOString(),
    endDate: range.end.toISOString(),
    first: MAX_CYCLES_IN_WINDOW,
  });
  return data.subscriptionBillingCycles.nodes;
}
