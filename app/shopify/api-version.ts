import { ApiVersion } from "@shopify/shopify-api";

/**
 * The one Admin API version the app speaks: used by shopifyApp(), the store simulator
 * and the tests; shopify.app.toml's webhooks api_version must match (a test checks it).
 */
export const SHOPIFY_API_VERSION = ApiVersion.October26;
