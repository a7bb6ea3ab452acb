import type { AdminApiClient, AdminOperation } from "../admin-api-client.server";

// Billing cycles of several contracts, expected within a date range (the catch-up window), in
// one request: one aliased `subscriptionBillingCycles` field per contract. The points are the
// same as one request per contract; the round trips, and the work on both ends, are not.

export interface SubscriptionBillingCycle {
  cycleIndex: number;
  billingAttemptExpectedDate: string;
  status: "BILLED" | "UNBILLED";
  skipped: boolean;
}

/** A contract's cycles in the range, and its customer (kept on the attempts for dunning). */
export interface ContractCycles {
  cycles: SubscriptionBillingCycle[];
  customerId: string | null;
}

type CyclesByAlias = Record<string, { nodes: SubscriptionBillingCycle[] } | { customer: { id: string } | null } | null>;

/** Contracts per request: ~12 requested points each keeps a request far below Shopify's 1000-point cap. */
export const CONTRACTS_PER_CYCLES_REQUEST = 25;
// Even a daily contract has few cycles in a 48-hour window; a wider window still fits.
const MAX_CYCLES_IN_WINDOW = 10;

const operations = new Map<number, AdminOperation<CyclesByAlias, Record<string, unknown>>>();

/** The query for `count` contracts ($c0..$cN), built once per size. */
export function billingCyclesOperation(count: number): AdminOperation<CyclesByAlias, Record<string, unknown>> {
  let operation = operations.get(count);
  if (!operation) {
    const indexes = Array.from({ length: count }, (_, i) => i);
    const name = `SubscriptionBillingCyclesInRange${count}`;
    operation = {
      name,
      document: `#graphql
        query ${name}($startDate: DateTime!, $endDate: DateTime!, ${indexes.map((i) => `$c${i}: ID!`).join(", ")}) {
          ${indexes
            .map(
              (i) => `c${i}: subscriptionBillingCycles(
            contractId: $c${i}
            first: ${MAX_CYCLES_IN_WINDOW}
            billingCyclesDateRangeSelector: { startDate: $startDate, endDate: $endDate }
          ) {
            nodes { cycleIndex billingAttemptExpectedDate status skipped }
          }
          k${i}: subscriptionContract(id: $c${i}) { customer { id } }`,
            )
            .join("\n")}
        }
      `,
      estimatedCost: 14 * count,
    };
    operations.set(count, operation);
  }
  return operation;
}

/** Each contract's cycles within the range and its customer, by contract id (at most CONTRACTS_PER_CYCLES_REQUEST). */
export async function fetchBillingCyclesInRange(
  client: AdminApiClient,
  contractIds: string[],
  range: { start: Date; end: Date },
): Promise<Map<string, ContractCycles>> {
  if (contractIds.length === 0) return new Map();
  if (contractIds.length > CONTRACTS_PER_CYCLES_REQUEST) throw new RangeError(`at most ${CONTRACTS_PER_CYCLES_REQUEST} contracts per request`);
  const variables: Record<string, unknown> = { startDate: range.start.toISOString(), endDate: range.end.toISOString() };
  contractIds.forEach((id, i) => (variables[`c${i}`] = id));
  const data = await client.request(billingCyclesOperation(contractIds.length), variables);
  return new Map(
    contractIds.map((id, i) => {
      const cycles = data[`c${i}`] as { nodes: SubscriptionBillingCycle[] };
      const contract = data[`k${i}`] as { customer: { id: string } | null } | null;
      return [id, { cycles: cycles.nodes, customerId: contract?.customer?.id ?? null }];
    }),
  );
}
