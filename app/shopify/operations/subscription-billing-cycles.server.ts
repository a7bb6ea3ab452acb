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

/** A contract's customer as the admin shows it (Customer.displayName, defaultEmailAddress: 2026-10). */
export interface ContractCustomer {
  customerId: string;
  displayName: string;
  email: string | null;
}

/** A contract's cycles in the range, and its customer (kept on the attempts for dunning, and for the admin's pages). */
export interface ContractCycles {
  cycles: SubscriptionBillingCycle[];
  customerId: string | null;
  customer: ContractCustomer | null;
}

export interface CustomerNode {
  id: string;
  displayName: string;
  defaultEmailAddress: { emailAddress: string } | null;
}

type CyclesByAlias = Record<string, { nodes: SubscriptionBillingCycle[] } | { customer: CustomerNode | null } | null>;

/** Contracts per request: ~15 requested points each keeps a request far below Shopify's 1000-point cap. */
export const CONTRACTS_PER_CYCLES_REQUEST = 25;
// Even a daily contract has few cycles in a 48-hour window; a wider window still fits.
const MAX_CYCLES_IN_WINDOW = 10;

/** A customer's id, name and email: what the admin's pages show and search. */
export const CUSTOMER_FIELDS = "id displayName defaultEmailAddress { emailAddress }";

export function customerOf(node: CustomerNode | null | undefined): ContractCustomer | null {
  return node ? { customerId: node.id, displayName: node.displayName, email: node.defaultEmailAddress?.emailAddress ?? null } : null;
}

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
          k${i}: subscriptionContract(id: $c${i}) { customer { ${CUSTOMER_FIELDS} } }`,
            )
            .join("\n")}
        }
      `,
      estimatedCost: 15 * count,
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
      const contract = data[`k${i}`] as { customer: CustomerNode | null } | null;
      const customer = customerOf(contract?.customer);
      return [id, { cycles: cycles.nodes, customerId: customer?.customerId ?? null, customer }];
    }),
  );
}
