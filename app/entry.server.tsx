import { PassThrough } from "node:stream";
import { createReadableStreamFromReadable, type EntryContext } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { addDocumentResponseHeaders } from "./shopify.server";
import { logUnexpectedError } from "./http/unexpected-error.server";
import { logger } from "./observability/logger.server";

// The production server (server.ts) and the dev server start and stop the app through the
// build's entry module; the production server also answers result webhooks through it.
export { startApp, stopApp } from "./start-up.server";
export { receiveAttemptResult } from "./webhooks/attempt-results-intake.server";
export { MAX_WEBHOOK_BODY_BYTES } from "./webhooks/webhook-request";
// The server logs through the app's logger, and gives each request its id there.
export { logger, withLogContext } from "./observability/logger.server";

export const streamTimeout = 5000;

/**
 * An error a loader or an action did not expect (thrown responses are answers, not errors):
 * logged without personal data; the root's error boundary shows the merchant a way back.
 */
export function handleError(error: unknown, { request }: { request: Request }) {
  // A page that does not exist, a method a route does not take: the caller's mistake, no bug.
  if (request.signal.aborted || (isRouteErrorResponse(error) && error.status < 500)) return;
  logUnexpectedError(error, request);
}

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  addDocumentResponseHeaders(request, responseHeaders);
  const userAgent = request.headers.get("user-agent");
  // Bots get the whole document at once; browsers get it streamed as it renders.
  const readyEvent = userAgent && isbot(userAgent) ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} />, {
      [readyEvent]() {
        const body = new PassThrough();
        const stream = createReadableStreamFromReadable(body);
        responseHeaders.set("Content-Type", "text/html");
        resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError(error) {
        reject(error);
      },
      onError(error) {
        responseStatusCode = 500;
        logger().error({ event: "render_error", path: new URL(request.url).pathname, error }, "rendering a page failed");
      },
    });
    setTimeout(abort, streamTimeout + 1000);
  });
}
