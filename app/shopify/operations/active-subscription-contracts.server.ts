import type { AdminApiClient, AdminOperation } from "../admin-api-client.server";

/** One page of the shop's active contracts; the due ones are those whose next billing date has come. */
export const ActiveSubscriptionContracts: AdminOperation<ActiveSubscriptionContractsData, { first: number; after: string | null }> = {
  name: "ActiveSubscriptionContracts",
  document: `#graphql
    query ActiveSubscriptionContracts($first: Int!, $after: String) {
      subscriptionContracts(first: $first, after: $after, query: "status:ACTIVE") {
        nodes {
          id
          nextBillingDate
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  `,
  estimatedCost: 60,
};

export interface ActiveSubscriptionContract {
  id: string;
  nextBillingDate: string | null;
}

interface ActiveSubscriptionContractsData {
  subscriptionContracts: {
    nodes: ActiveSubscriptionContract[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

// Shopify's maximum page size; one page costs about as much as a few small queries.
const PAGE_SIZE = 250;

export async function listActiveSubscriptionContracts(client: AdminApiClient): Promise<ActiveSubscriptionContract[]> {
  const contracts: ActiveSubscriptionContract[] = [];
  let after: string | null = null;
  for (;;) {
    const data: ActiveSubscriptionContractsData = await client.request(ActiveSubscriptionContracts, { first: PAGE_SIZE, after });
    contracts.push(...data.subscriptionContracts.nodes);
    const { hasNextPage, endCursor } = data.subscriptionContracts.pageInfo;
    if (!hasNextPage || !endCursor) return contracts;
    after = endCursor;
  }
}
