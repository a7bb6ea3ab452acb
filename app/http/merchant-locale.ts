import { supportedLocale } from "../format/merchant-format";

/**
 * The merchant's language for an admin request: Shopify admin's `locale` (on the URL it opens
 * the app with), else the browser's Accept-Language (every request of the iframe carries it).
 */
export function merchantLocale(request: Request): string {
  const fromAdmin = new URL(request.url).searchParams.get("locale");
  if (fromAdmin) return supportedLocale(fromAdmin);
  const preferred = request.headers.get("Accept-Language")?.split(",")[0]?.split(";")[0]?.trim();
  return supportedLocale(preferred);
}
