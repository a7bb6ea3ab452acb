import type { AdminApiClient, AdminOperation } from "../admin-api-client.server";

// The shop's billing attempts created within a time range, a page at a time: what the
// reconciliation reads from Shopify (its own view of what it charged, and the order each
// successful attempt created). `subscriptionBillingAttempts` lists the attempts on the app's
// own contracts (read_own_subscription_contracts) and filters by `created_at`.

/** 100 attempts of 4 points each: ~400 of a request's 1,000-point cap. */
export const BILLING_ATTEMPTS_PAGE_SIZE = 100;

export const SubscriptionBillingAttemptsCreated: AdminOperation<
  { subscriptionBillingAttempts: { nodes: AttemptNode[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } },
  { first: number; after: string | null; query: string }
> = {
  name: "SubscriptionBillingAttemptsCreated",
  document: `#graphql
    query SubscriptionBillingAttemptsCreated($first: Int!, $after: String, $query: String!) {
      subscriptionBillingAttempts(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
        nodes {
          id
          idempotencyKey
          createdAt
          subscriptionContract { id }
          state {
            __typename
            ... on SubscriptionBillingAttemptSuccessState { order { id name createdAt } }
          }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  `,
  estimatedCost: 402,
};

interface AttemptNode {
  id: string;
  idempotencyKey: string;
  createdAt: string;
  subscriptionContract: { id: string };
  state: { __typename: string; order?: { id: string; name: string; createdAt: string } | null };
}

/** A billing attempt as Shopify reports it. */
export interface ShopifyBillingAttempt {
  id: string;
  idempotencyKey: string;
  createdAt: Date;
  contractId: string;
  state: "SUCCEEDED" | "FAILED" | "ACTION_REQUIRED" | "PROCESSING";
  /** The order a successful attempt created (null if it was deleted since). */
  order: { id: string; name: string; createdAt: Date } | null;
}

const STATE_OF_TYPENAME: Record<string, ShopifyBillingAttempt["state"]> = {
  SubscriptionBillingAttemptSuccessState: "SUCCEEDED",
  SubscriptionBillingAttemptFailedState: "FAILED",
  SubscriptionBillingAttemptActionRequiredState: "ACTION_REQUIRED",
  SubscriptionBillingAttemptPendingState: "PROCESSING",
};

/** Shopify's search syntax for attempts created in [start, end). */
export function createdBetweenQuery(range: { start: Date; end: Date }): string {
  const instant = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");
  return `created_at:>=${instant(range.start)} created_at:<${instant(range.end)}`;
}

/** One page of the attempts created in the range, oldest first, from `after` (a cursor of the previous page). */
export async function fetchBillingAttemptsCreated(
  client: AdminApiClient,
  range: { start: Date; end: Date },
  after: string | null,
): Promise<{ attempts: ShopifyBillingAttempt[]; nextCursor: string | null }> {
  const data = await client.request(SubscriptionBillingAttemptsCreated, { first: BILLING_ATTEMPTS_PAGE_SIZE, after, query: createdBetweenQuery(range) });
  const { nodes, pageInfo } = data.subscriptionBillingAttempts;
  return {
    attempts: nodes.map((node) => ({
      id: node.id,
      idempotencyKey: node.idempotencyKey,
      createdAt: new Date(node.createdAt),
      contractId: node.subscriptionContract.id,
      state: STATE_OF_TYPENAME[node.state.__typename] ?? "PROCESSING",
      order: node.state.order ? { id: node.state.order.id, name: node.state.order.name, createdAt: new Date(node.state.order.createdAt) } : null,
    })),
    nextCursor: pageInfo.hasNextPage ? pageInfo.endCursor : null,
  };
}
