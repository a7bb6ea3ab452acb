import type { AdminApiClient, AdminOperation } from "../admin-api-client.server";
import type { ShopifyUserError } from "./dunning-actions.server";

// Starts the merchant's Shopify Flow workflows that begin with one of the app's triggers
// (extensions/<handle>/shopify.extension.toml). Flow takes no idempotency key: a trigger sent
// twice runs its workflows twice. 5xx answers are retried like any other (the request most
// likely did not run); the outbox keeps the window for a second send small
// (app/flow/flow-delivery.server.ts).

export const FlowTriggerReceive: AdminOperation<
  { flowTriggerReceive: { userErrors: ShopifyUserError[] } | null },
  { handle: string; payload: Record<string, unknown> }
> = {
  name: "FlowTriggerReceive",
  document: `#graphql
    mutation FlowTriggerReceive($handle: String!, $payload: JSON!) {
      flowTriggerReceive(handle: $handle, payload: $payload) {
        userErrors { field message }
      }
    }
  `,
  estimatedCost: 11,
};

/** Flow's answer: accepted, or refused with its user errors (a handle or payload it will never take). */
export async function sendFlowTrigger(
  client: AdminApiClient,
  handle: string,
  payload: Record<string, unknown>,
): Promise<{ ok: true } | { ok: false; userErrors: ShopifyUserError[] }> {
  const answer = (await client.request(FlowTriggerReceive, { handle, payload })).flowTriggerReceive;
  const userErrors = answer?.userErrors ?? [{ field: null, message: "Shopify answered flowTriggerReceive with no payload" }];
  return userErrors.length === 0 ? { ok: true } : { ok: false, userErrors };
}
