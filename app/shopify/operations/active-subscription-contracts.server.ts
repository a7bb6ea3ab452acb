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

/**
 * The shop's active contracts a page at a time, the next page requested while the caller
 * works on this one: a shop with many contracts is never held in memory whole.
 */
export async function* activeSubscriptionContractPages(client: AdminApiClient): AsyncGenerator<ActiveSubscriptionContract[]> {
  const fetchPage = (after: string | null) => client.request(ActiveSubscriptionContracts, { first: PAGE_SIZE, after });
  let next: Promise<ActiveSubscriptionContractsData> | undefined = fetchPage(null);
  while (next) {
    const data: ActiveSubscriptionContractsData = await next;
    const { hasNextPage, endCursor } = data.subscriptionContracts.pageInfo;
    next = hasNextPage && endCursor ? fetchPage(endCursor) : undefined;
    // A page fetched ahead and never read must not fail unhandled when the caller stops early.
    next?.catch(() => undefined);
    yield data.subscriptionContracts.nodes;
  }
}
