import "@shopify/shopify-app-remix/adapters/node";
import { AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
import { appConfig } from "./config/app-config.server";
import type { AppConfig } from "./config/environment";
import { prisma } from "./db/app-database.server";
import { logger } from "./observability/logger.server";
import { countShopifyCall } from "./observability/metrics.server";
import { ensureShopIsSetUp } from "./schedules/schedule.server";
import { createAdminApiClient, type AdminApiClient, type RequestSlots } from "./shopify/admin-api-client.server";
import { ShopNotInstalledError } from "./shopify/admin-api-errors";
import { adminGraphqlEndpoint } from "./shopify/admin-graphql-endpoint";
import { SHOPIFY_API_VERSION } from "./shopify/api-version";
import { fetchShopProfile } from "./shopify/operations/shop-profile.server";
import { ConcurrencySafeSessionStorage } from "./shopify/session-storage.server";
import { routeShopifyTrafficToSimulator } from "./shopify/store-simulator-routing.server";

// The shopify-app-remix instance (authentication, sessions, install): built from the
// validated configuration at first use, never at import, and rebuilt if it changes.

function createShopifyApp(config: AppConfig) {
  if (config.SHOPIFY_STORE_SIMULATOR_URL) {
    logger().warn({ event: "store_simulator" }, `talking to the STORE SIMULATOR at ${config.SHOPIFY_STORE_SIMULATOR_URL}, not to Shopify`);
    routeShopifyTrafficToSimulator(config.SHOPIFY_STORE_SIMULATOR_URL);
  }
  return shopifyApp({
    apiKey: config.SHOPIFY_API_KEY,
    apiSecretKey: config.SHOPIFY_API_SECRET,
    apiVersion: SHOPIFY_API_VERSION,
    scopes: config.SCOPES.split(","),
    appUrl: config.SHOPIFY_APP_URL,
    authPathPrefix: "/auth",
    sessionStorage: new ConcurrencySafeSessionStorage(prisma()),
    distribution: AppDistribution.AppStore,
    future: {
      unstable_newEmbeddedAuthStrategy: true,
      expiringOfflineAccessTokens: true,
    },
    hooks: {
      afterAuth: async ({ session, admin }) => {
        // Every installed shop gets a billing schedule in its own time zone.
        const profile = await fetchShopProfile(admin.graphql);
        await ensureShopIsSetUp(session.shop, profile.ianaTimezone, new Date());
      },
    },
    // The library's own lines go through the app's logger (JSON, redacted); its per-request
    // chatter (Info) only when LOG_LEVEL asks for debug lines.
    logger: {
      level: config.LOG_LEVEL === "debug" || config.LOG_LEVEL === "trace" ? LogSeverity.Debug : LogSeverity.Warning,
      log: (severity, message) => logger()[LIBRARY_LEVELS[severity]]({ event: "shopify_library" }, message),
    },
    ...(config.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [config.SHOP_CUSTOM_DOMAIN] } : {}),
  });
}

const LIBRARY_LEVELS = { [LogSeverity.Error]: "error", [LogSeverity.Warning]: "warn", [LogSeverity.Info]: "info", [LogSeverity.Debug]: "debug" } as const;

type ShopifyApp = ReturnType<typeof createShopifyApp>;
let built: { config: AppConfig; app: ShopifyApp } | undefined;

/** The app for the current configuration. */
export function shopify(): ShopifyApp {
  const config = appConfig();
  if (built?.config !== config) built = { config, app: createShopifyApp(config) };
  return built.app;
}

export const authenticate = {
  admin: (request: Request) => shopify().authenticate.admin(request),
};
export const login = (request: Request) => shopify().login(request);
export const addDocumentResponseHeaders = (request: Request, headers: Headers) => shopify().addDocumentResponseHeaders(request, headers);

/**
 * Token lookups in flight, per shop: an expired token is refreshed once for every caller
 * waiting on it (the billing run, dunning and a merchant's action at once), not once each:
 * Shopify's refresh token works once, and the losers' refresh failed with a bare 500.
 */
const tokenLookups = new Map<string, Promise<string | undefined>>();

function offlineAccessToken(shop: string): Promise<string | undefined> {
  let lookup = tokenLookups.get(shop);
  if (!lookup) {
    lookup = shopify()
      .unauthenticated.admin(shop)
      .then(({ session }) => session.accessToken)
      .finally(() => tokenLookups.delete(shop));
    tokenLookups.set(shop, lookup);
  }
  return lookup;
}

/**
 * An Admin API client for a shop, outside any merchant request (the cron run): the shop's
 * offline session, refreshed first when its expiring token has lapsed.
 */
export async function adminClientForShop(shop: string, options: { sharedSlots?: RequestSlots } = {}): Promise<AdminApiClient> {
  let accessToken: string | undefined;
  try {
    accessToken = await offlineAccessToken(shop);
  } catch (error) {
    // shopify-app-remix's SessionNotFoundError is not exported as a class we can test with instanceof.
    if ((error as Error).name === "SessionNotFoundError" || (error as Error).constructor?.name === "SessionNotFoundError") {
      throw new ShopNotInstalledError(shop);
    }
    throw error;
  }
  if (!accessToken) throw new ShopNotInstalledError(shop);
  const endpoint = adminGraphqlEndpoint(shop, appConfig().SHOPIFY_STORE_SIMULATOR_URL);
  return createAdminApiClient({ shop, accessToken, endpoint, sharedSlots: options.sharedSlots, onCall: countShopifyCall });
}
