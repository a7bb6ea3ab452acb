// The two failures callers of the Admin API client branch on: the shop cannot be served
// (stop), or Shopify kept failing (leave the work for a later run).

export const TERMINAL_REASONS: Readonly<Record<number, string>> = {
  401: "unauthorized",
  402: "payment_required",
  403: "forbidden",
  404: "not_found",
  423: "locked",
};

/** The shop cannot be served now and retrying will not change it: 401, 402, 403, 404, 423. */
export class ShopifyTerminalError extends Error {
  readonly reason: string;

  constructor(
    readonly shop: string,
    readonly status: number,
    message?: string,
  ) {
    const reason = TERMINAL_REASONS[status] ?? `http_${status}`;
    super(message ?? `Shopify cannot serve ${shop}: HTTP ${status} (${reason})`);
    this.name = "ShopifyTerminalError";
    this.reason = reason;
  }
}

/** Retryable failures (THROTTLED, 429, 5xx, network) kept failing after maxAttempts. */
export class ShopifyUnavailableError extends Error {
  constructor(
    readonly shop: string,
    readonly attempts: number,
    readonly lastStatus?: number,
    options?: { message?: string; cause?: unknown },
  ) {
    super(
      options?.message ?? `Shopify unavailable for ${shop} after ${attempts} attempts (last status ${lastStatus ?? "none"})`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "ShopifyUnavailableError";
  }
}

/** The shop has no offline session (uninstalled, or never finished installing). */
export class ShopNotInstalledError extends Error {
  constructor(readonly shop: string) {
    super(`${shop} has no offline session: the app is not installed there (reinstall to resume billing)`);
    this.name = "ShopNotInstalledError";
  }
}

/** Shopify answered with GraphQL errors (a bad query, missing access) or no data. */
export class AdminGraphqlError extends Error {
  constructor(
    readonly operation: string,
    readonly errors: unknown,
  ) {
    super(`Shopify Admin API ${operation} failed: ${JSON.stringify(errors)}`);
    this.name = "AdminGraphqlError";
  }
}
