import type { AppConfig } from "../config/environment";

// What never reaches a log line, whatever string it hides in: an error message quoting a
// customer's email, a URL with a session token in its query, a database URL with its password.

const EMAIL = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[a-z]{2,}/gi;
/** Three base64url parts, the first two JSON objects: a session token, an id token. */
const JWT = /\beyJ[\w-]+\.eyJ[\w-]+\.[\w-]*/g;
/** Shopify access, refresh and app tokens: shpat_, shpua_, shpca_, shprt_, ... */
const SHOPIFY_TOKEN = /\bshp[a-z]{2}_[A-Za-z0-9]+/g;
const BEARER = /\b(Bearer|Basic)\s+[\w.~+/=-]+/gi;
/** user:password@ in a URL. */
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)[^\s/@]+@/gi;
/** The query string of an absolute URL, or of a path ("/app?shop=...&id_token=..."). */
const QUERY_STRING = /((?:\b[a-z][a-z0-9+.-]*:\/\/[^\s?#"']*|(?:^|(?<=[\s"'(=]))\/[^\s?#"']*))\?[^\s#"')]+/gi;

const MAX_MESSAGE = 200;
const MAX_FRAMES = 12;

/** `text` without emails, JWTs, tokens, credentials, query strings and the configured secrets. */
export function scrubText(text: string, secrets: readonly string[] = []): string {
  let scrubbed = text;
  for (const secret of secrets) if (scrubbed.includes(secret)) scrubbed = scrubbed.split(secret).join("[secret]");
  return scrubbed
    .replace(JWT, "[jwt]")
    .replace(SHOPIFY_TOKEN, "[token]")
    .replace(BEARER, "$1 [redacted]")
    .replace(URL_CREDENTIALS, "$1[redacted]@")
    .replace(QUERY_STRING, "$1?[query]")
    .replace(EMAIL, "[email]");
}

/** The configuration's secrets, as they could appear verbatim in a message. */
export function secretsOf(config: Pick<AppConfig, "SHOPIFY_API_SECRET" | "CRON_SECRET" | "database" | "migrationDatabase">): string[] {
  const passwords = [config.database, config.migrationDatabase].flatMap((target) => {
    try {
      const password = new URL(target.url).password;
      return password ? [password, decodeURIComponent(password)] : [];
    } catch {
      return [];
    }
  });
  // Short values would take ordinary words out of every line.
  return [...new Set([config.SHOPIFY_API_SECRET, config.CRON_SECRET, ...passwords])].filter(
    (secret): secret is string => typeof secret === "string" && secret.length >= 6,
  );
}

/**
 * An error as a log field: what locates the bug (its kind, code, first line and stack
 * frames) and nothing past the message's first line, where database errors spell out the
 * values they were given (a customer's name or email).
 */
export function serializeError(error: unknown, scrub: (text: string) => string = scrubText) {
  const failure = error instanceof Error ? error : new Error(typeof error === "string" ? error : "a non-Error value was thrown");
  const firstLine = failure.message.split("\n").find((line) => line.trim() !== "") ?? "";
  const code = (failure as { code?: unknown }).code;
  return {
    name: failure.name,
    ...(typeof code === "string" || typeof code === "number" ? { code } : {}),
    message: scrub(firstLine).slice(0, MAX_MESSAGE),
    stack: (failure.stack ?? "")
      .split("\n")
      .filter((line) => /^\s+at /.test(line))
      .slice(0, MAX_FRAMES)
      .map((line) => scrub(line.trim())),
  };
}
