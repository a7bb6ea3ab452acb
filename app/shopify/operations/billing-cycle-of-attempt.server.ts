import type { AdminApiClient, AdminOperation } from "../admin-api-client.server";

// Which billing cycle of a contract an attempt belongs to, when its idempotency key does not
// say (an attempt the app did not make). An attempt has no cycle field; the cycles expected
// around its creation list their attempts. Rare: reconciliation asks only for successful
// attempts it cannot attribute otherwise. First the cycles expected up to a day after the
// attempt, latest first (a charge, or a retry weeks after its cycle's date), then, for a
// cycle charged ahead of its date, the ones expected in the two months after.

const CYCLES_PER_REQUEST = 25;
const WINDOW_DAYS = 62;
const DAY_MS = 86_400_000;

export const BillingCyclesWithAttempts: AdminOperation<
  { subscriptionBillingCycles: { nodes: Array<{ cycleIndex: number; billingAttempts: { nodes: Array<{ id: string }> } }> } },
  { contractId: string; startDate: string; endDate: string; latestFirst: boolean }
> = {
  name: "BillingCyclesWithAttempts",
  document: `#graphql
    query BillingCyclesWithAttempts($contractId: ID!, $startDate: DateTime!, $endDate: DateTime!, $latestFirst: Boolean!) {
      subscriptionBillingCycles(
        contractId: $contractId
        first: ${CYCLES_PER_REQUEST}
        reverse: $latestFirst
        billingCyclesDateRangeSelector: { startDate: $startDate, endDate: $endDate }
      ) {
        nodes {
          cycleIndex
          billingAttempts(first: 10, reverse: true) { nodes { id } }
        }
      }
    }
  `,
  estimatedCost: 327,
};

/** The cycle index of the contract's attempt `attemptId` created at `createdAt`; null when no cycle near it lists it. */
export async function findCycleOfAttempt(client: AdminApiClient, contractId: string, attemptId: string, createdAt: Date): Promise<number | null> {
  const at = createdAt.getTime();
  const windows = [
    { startDate: new Date(at - WINDOW_DAYS * DAY_MS), endDate: new Date(at + DAY_MS), latestFirst: true },
    { startDate: new Date(at + DAY_MS), endDate: new Date(at + WINDOW_DAYS * DAY_MS), latestFirst: false },
  ];
  for (const window of windows) {
    const data = await client.request(BillingCyclesWithAttempts, {
      contractId,
      startDate: window.startDate.toISOString(),
      endDate: window.endDate.toISOString(),
      latestFirst: window.latestFirst,
    });
    const cycle = data.subscriptionBillingCycles.nodes.find((node) => node.billingAttempts.nodes.some((attempt) => attempt.id === attemptId));
    if (cycle) return cycle.cycleIndex;
  }
  return null;
}
