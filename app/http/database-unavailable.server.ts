import { isDatabaseUnavailable } from "../db/errors";
import { isWriteConflict } from "../db/write-conflicts";
import { logger } from "../observability/logger.server";

/** Seconds a caller should wait before trying again; a database restart takes about that long. */
const RETRY_AFTER_SECONDS = 30;

/** An answer without a web Response around it (the production server's direct routes write it themselves). */
export interface PlainAnswer {
  status: number;
  text?: string;
  headers?: Record<string, string>;
}

/** A write conflict clears within milliseconds: the caller may come back at once. */
const WRITE_CONFLICT_RETRY_AFTER_SECONDS = 1;

/**
 * 503 with Retry-After when `error` means the database cannot be used right now (it is
 * restarting or unreachable, or it rolled this request's work back as a deadlock's victim
 * once the statement's own retries were spent): the scheduler calls again, Shopify
 * redelivers the webhook, and nothing was half-done because every write runs in a
 * transaction or under an idempotency key. Undefined for any other error, which stays a bug
 * to see.
 */
export function databaseUnavailableAnswer(error: unknown): PlainAnswer | undefined {
  if (isWriteConflict(error)) {
    logger().warn({ event: "database_write_conflict" }, "the database rolled the request back as a write conflict (deadlock); answered 503");
    return {
      status: 503,
      text: "Another request changed the same rows at the same moment; try again.",
      headers: { "Retry-After": String(WRITE_CONFLICT_RETRY_AFTER_SECONDS), "Content-Type": "text/plain; charset=utf-8" },
    };
  }
  if (!isDatabaseUnavailable(error)) return undefined;
  const reason = (error as Error).message.split("\n").pop();
  logger().warn({ event: "database_unavailable", reason }, `database unavailable: ${reason}`);
  return {
    status: 503,
    text: `The database is unavailable right now; try again in ${RETRY_AFTER_SECONDS} s.`,
    headers: { "Retry-After": String(RETRY_AFTER_SECONDS), "Content-Type": "text/plain; charset=utf-8" },
  };
}

export function responseOf(answer: PlainAnswer): Response {
  return new Response(answer.text ?? null, { status: answer.status, headers: answer.headers });
}

/** The same 503 as a Response, for Remix routes. */
export function databaseUnavailableResponse(error: unknown): Response | undefined {
  const answer = databaseUnavailableAnswer(error);
  return answer ? responseOf(answer) : undefined;
}
