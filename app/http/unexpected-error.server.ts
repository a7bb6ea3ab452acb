import { logger } from "../observability/logger.server";

// A loader, action or render failed in a way nobody planned for: the merchant gets the root
// error page, the operator a log line at error level. The line carries what locates the bug
// (the route, the shop, the error's kind, first line and stack frames: the logger's error
// field) and nothing personal: no query string (session tokens), no request body, and no
// error text past its first line, where database errors spell out the values they were given.

export function logUnexpectedError(error: unknown, request: Request): void {
  const url = new URL(request.url);
  logger().error(
    { event: "unexpected_error", method: request.method, path: url.pathname, shop: url.searchParams.get("shop") ?? undefined, error },
    `unexpected error answering ${request.method} ${url.pathname}`,
  );
}
