import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";

/** The claims App Bridge puts in a Shopify session token (an HS256 JWT signed with the API secret). */
export interface SessionTokenPayload {
  iss: string;
  dest: string;
  aud: string;
  sub: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  sid: string;
}

export interface SignSessionTokenInput {
  shop: string;
  apiKey: string;
  apiSecret: string;
  userId?: string | number;
  expiresInSeconds?: number;
}

export type SessionTokenVerification =
  | { ok: true; payload: SessionTokenPayload }
  | { ok: false; reason: string };

const HEADER = { alg: "HS256", typ: "JWT" };

export function signSessionToken({ shop, apiKey, apiSecret, userId = "1", expiresInSeconds = 60 }: SignSessionTokenInput): string {
  const now = Math.floor(Date.now() / 1000);
  const payload: SessionTokenPayload = {
    iss: `https://${shop}/admin`,
    dest: `https://${shop}`,
    aud: apiKey,
    sub: String(userId),
    exp: now + expiresInSeconds,
    nbf: now,
    iat: now,
    jti: randomUUID(),
    sid: randomBytes(16).toString("hex"),
  };
  const signingInput = `${encodeSegment(HEADER)}.${encodeSegment(payload)}`;
  return `${signingInput}.${hmacBase64Url(signingInput, apiSecret)}`;
}

/** Checks signature, algorithm, audience and time window; does not check `dest` (the caller knows the shop). */
export function verifySessionToken(token: string, { apiKey, apiSecret }: { apiKey: string; apiSecret: string }): SessionTokenVerification {
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "not a JWT" };
  const [encodedHeader, encodedPayload, signature] = parts as [string, string, string];

  if (!signatureMatches(`${encodedHeader}.${encodedPayload}`, signature, apiSecret)) {
    return { ok: false, reason: "bad signature" };
  }
  const header = decodeSegment(encodedHeader);
  if (!isRecord(header) || header.alg !== "HS256") return { ok: false, reason: "unsupported algorithm" };

  const payload = decodeSegment(encodedPayload);
  if (!isSessionTokenPayload(payload)) return { ok: false, reason: "malformed payload" };
  if (payload.aud !== apiKey) return { ok: false, reason: "wrong audience" };

  const now = Math.floor(Date.now() / 1000);
  if (payload.exp <= now) return { ok: false, reason: "expired" };
  if (payload.nbf > now) return { ok: false, reason: "not yet valid" };
  return { ok: true, payload };
}

function signatureMatches(signingInput: string, signature: string, secret: string): boolean {
  const expected = Buffer.from(hmacBase64Url(signingInput, secret));
  const actual = Buffer.from(signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function hmacBase64Url(data: string, secret: string): string {
  return createHmac("sha256", secret).update(data).digest("base64url");
}

function encodeSegment(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function decodeSegment(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSessionTokenPayload(value: unknown): value is SessionTokenPayload {
  if (!isRecord(value)) return false;
  const strings = ["iss", "dest", "aud", "sub", "jti", "sid"].every((key) => typeof value[key] === "string");
  const numbers = ["exp", "nbf", "iat"].every((key) => typeof value[key] === "number");
  return strings && numbers;
}
