import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { shortened } from "../lib/shortened";

// The billing endpoint's input: who may call it and what a call may ask for.

/** Compares the bearer token with the secret in constant time (hashes first, so lengths never leak). */
export function isAuthorizedCronRequest(request: Request, secret: string): boolean {
  // HTTP authentication schemes are case-insensitive ("bearer" is Bearer).
  const match = /^Bearer +(.+)$/i.exec(request.headers.get("Authorization") ?? "");
  const presented = createHash("sha256").update(match?.[1] ?? "").digest();
  const expected = createHash("sha256").update(secret).digest();
  // Whether a Bearer header was sent at all is no secret; the token itself is compared in constant time.
  return match !== null && timingSafeEqual(presented, expected);
}

const billingRunBody = z
  .object({
    dryRun: z.boolean().default(false),
    /** Overrides BILLING_TIME_BUDGET_SECONDS for this call (still capped). */
    timeBudgetSeconds: z.number().int().min(1).max(900).optional(),
    /** The billing clock; accepted only when the app talks to the store simulator. */
    now: z.string().datetime({ offset: true }).optional(),
  })
  .strict();

export type BillingRunRequest = z.infer<typeof billingRunBody>;

export class InvalidBillingRunRequestError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413 = 400,
  ) {
    super(message);
  }
}

/** The options fit in a few dozen bytes; anything near this is not a scheduler's request. */
export const MAX_BILLING_RUN_BODY_BYTES = 16 * 1024;

/** Parses the JSON body (empty means defaults); throws InvalidBillingRunRequestError with the reason. */
export async function parseBillingRunRequest(request: Request, options: { simulatedClock: boolean }): Promise<BillingRunRequest> {
  if (Number(request.headers.get("Content-Length") ?? 0) > MAX_BILLING_RUN_BODY_BYTES) {
    throw new InvalidBillingRunRequestError(`The body is larger than ${MAX_BILLING_RUN_BODY_BYTES} bytes`, 413);
  }
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BILLING_RUN_BODY_BYTES) {
    throw new InvalidBillingRunRequestError(`The body is larger than ${MAX_BILLING_RUN_BODY_BYTES} bytes`, 413);
  }
  let json: unknown = {};
  if (text.trim() !== "") {
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new InvalidBillingRunRequestError(`The body must be JSON: ${shortened((error as Error).message, 200)}`);
    }
  }
  const parsed = billingRunBody.safeParse(json);
  if (!parsed.success) {
    // Field names come from the caller: never echo more than a little of them.
    const problems = parsed.error.issues.map((issue) => shortened(`${issue.path.join(".") || "body"}: ${issue.message}`, 200));
    throw new InvalidBillingRunRequestError(`Invalid billing run request: ${problems.slice(0, 5).join("; ")}`);
  }
  if (parsed.data.now !== undefined && !options.simulatedClock) {
    throw new InvalidBillingRunRequestError("`now` can only be set when the app talks to the store simulator (SHOPIFY_STORE_SIMULATOR_URL)");
  }
  return parsed.data;
}
