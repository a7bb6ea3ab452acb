import "@shopify/shopify-app-remix/adapters/node";
import { AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { ensureShopIsSetUp } from "./billing/schedule.server";
import prisma, { assertAppDatabaseReady } from "./db.server";
import { parseEnvironment } from "./env.server";
import { SHOPIFY_API_VERSION } from "./shopify/api-version";
import { fetchShopProfile } from "./shopify/operations/shop-profile.server";
import { ConcurrencySafeSessionStorage } from "./shopify/session-storage.server";
import { routeShopifyTrafficToSimulator } from "./shopify/store-simulator-routing.server";

// Refuse to start, listing every problem, rather than fail on the first request.
export const env = parseEnvironment(process.env);

if (env.SHOPIFY_STORE_SIMULATOR_URL) {
  console.warn(`[shopify] talking to the STORE SIMULATOR at ${env.SHOPIFY_STORE_SIMULATOR_URL}, not to Shopify`);
  routeShopifyTrafficToSimulator(env.SHOPIFY_STORE_SIMULATOR_URL);
}

// Fails start-up with an operator-readable reason (unreachable, tables missing, ...).
await assertAppDatabaseReady();

const shopify = shopifyApp({
  apiKey: env.SHOPIFY_API_KEY,
  apiSecretKey: env.SHOPIFY_API_SECRET,
  apiVersion: SHOPIFY_API_VERSION,
  scopes: env.SCOPES.split(","),
  appUrl: env.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  sessionStorage: new ConcurrencySafeSessionStorage(prisma),
  distribution: AppDistribution.AppStore,
  future: {
    unstable_newEmbeddedAuthStrategy: true,
    expiringOfflineAccessTokens: true,
  },
  hooks: {
    afterAuth: async ({ session, admin }) => {
      // Every installed shop gets a billing schedule in its own time zone.
      const profile = await fetchShopProfile(admin.graphql);
      await ensureShopIsSetUp(session.shop, profile.ianaTimezone);
    },
  },
  ...(env.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [env.SHOP_CUSTOM_DOMAIN] } : {}),
});

export default shopify;
export const apiVersion = SHOPIFY_API_VERSION;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
