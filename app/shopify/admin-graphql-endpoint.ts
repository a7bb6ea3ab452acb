import { SHOPIFY_API_VERSION } from "./api-version";

/** Shopify's Admin GraphQL URL for the shop, or the store simulator's when tests or the demo run. */
export function adminGraphqlEndpoint(shop: string, simulatorUrl: string | undefined): string {
  const path = `/admin/api/${SHOPIFY_API_VERSION}/graphql.json`;
  return simulatorUrl ? simulatorUrlFor(simulatorUrl, shop, path) : `https://${shop}${path}`;
}

/** Where the simulator serves what Shopify serves at https://<shop><path>. */
export function simulatorUrlFor(simulatorUrl: string, shop: string, path: string): string {
  return `${simulatorUrl.replace(/\/+$/, "")}/${shop}${path}`;
}
