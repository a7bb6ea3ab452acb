import { isDatabaseUnavailable } from "../db/errors";

/** Seconds a caller should wait before trying again; a database restart takes about that long. */
const RETRY_AFTER_SECONDS = 30;

/**
 * 503 with Retry-After when `error` means the database cannot be used right now (it is
 * restarting or unreachable): the scheduler calls again, Shopify redelivers the webhook, and
 * nothing was half-done because every write runs in a transaction. Undefined for any other
 * error, which stays a bug to see.
 */
export function databaseUnavailableResponse(error: unknown): Response | undefined {
  if (!isDatabaseUnavailable(error)) return undefined;
  console.warn(`[database] unavailable: ${(error as Error).message.split("\n").pop()}`);
  return new Response(`The database is unavailable right now; try again in ${RETRY_AFTER_SECONDS} s.`, {
    status: 503,
    headers: { "Retry-After": String(RETRY_AFTER_SECONDS), "Content-Type": "text/plain; charset=utf-8" },
  });
}
