import { countShopifyCall } from "../metrics.server";
import { unauthenticated } from "../shopify.server";
import { createAdminApiClient, type AdminApiClient } from "./admin-api-client.server";
import { ShopNotInstalledError } from "./admin-api-errors";
import { SHOPIFY_API_VERSION } from "./api-version";
import { simulatorUrlFor } from "./store-simulator-routing.server";

/**
 * An Admin API client for a shop, outside any merchant request (the cron run): the shop's
 * offline session, refreshed first when its expiring token has lapsed.
 */
export async function adminClientForShop(shop: string): Promise<AdminApiClient> {
  let accessToken: string | undefined;
  try {
    accessToken = (await unauthenticated.admin(shop)).session.accessToken;
  } catch (error) {
    // shopify-app-remix's SessionNotFoundError is not exported as a class we can test with instanceof.
    if ((error as Error).name === "SessionNotFoundError" || (error as Error).constructor?.name === "SessionNotFoundError") {
      throw new ShopNotInstalledError(shop);
    }
    throw error;
  }
  if (!accessToken) throw new ShopNotInstalledError(shop);
  return createAdminApiClient({ shop, accessToken, endpoint: adminGraphqlEndpoint(shop), onCall: (call) => countShopifyCall(call.outcome) });
}

/** Shopify's Admin GraphQL URL for the shop, or the store simulator's when tests or the demo run. */
export function adminGraphqlEndpoint(shop: string, simulatorUrl = process.env.SHOPIFY_STORE_SIMULATOR_URL): string {
  const path = `/admin/api/${SHOPIFY_API_VERSION}/graphql.json`;
  return simulatorUrl ? simulatorUrlFor(simulatorUrl, shop, path) : `https://${shop}${path}`;
}
