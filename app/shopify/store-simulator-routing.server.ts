import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { simulatorUrlFor } from "./admin-graphql-endpoint";

/**
 * Sends every request meant for https://<shop>.myshopify.com to the store simulator at
 * `<simulatorUrl>/<shop>/...` instead. Only for tests and the offline demo: the Admin API
 * client cannot be pointed at an http:// host any other way.
 */
export function routeShopifyTrafficToSimulator(simulatorUrl: string): void {
  const upstream = globalThis.fetch;
  setAbstractFetchFunc(async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol === "https:" && url.hostname.endsWith(".myshopify.com")) {
      const rerouted = simulatorUrlFor(simulatorUrl, url.hostname, `${url.pathname}${url.search}`);
      return input instanceof Request ? upstream(new Request(rerouted, input), init) : upstream(rerouted, init);
    }
    return upstream(input, init);
  });
}
