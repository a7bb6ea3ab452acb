import { randomBytes } from "node:crypto";
import { isEnumType } from "graphql";
import { adminSchema } from "./admin-schema";
import { LeakyBucket } from "./query-cost";
import type { StoreSimulatorOptions } from "./simulator-options";

export type { StoreSimulatorOptions };

// State: shops, issued tokens and rate-limit buckets.

export interface SimulatedShop {
  domain: string;
  name: string;
  email: string;
  ianaTimezone: string;
  timezoneAbbreviation?: string;
  currencyCode: string;
}

const DEFAULT_SCOPES =
  "read_own_subscription_contracts,write_own_subscription_contracts,read_customer_payment_methods,read_customers,write_customers,read_orders";
const EXPIRING_TOKEN_TTL_SECONDS = 3600;
const ONLINE_TOKEN_TTL_SECONDS = 86_400;
const REFRESH_TOKEN_TTL_SECONDS = 2_592_000;
export const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

export interface ShopRecord {
  shop: SimulatedShop;
  numericId: number;
}

interface IssuedAccessToken {
  shop: string;
  expiresAt?: number;
}

interface IssuedRefreshToken {
  shop: string;
  expiresAt: number;
}

interface AccessTokenGrant {
  access_token: string;
  scope: string;
  expires_in?: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
  associated_user_scope?: string;
  associated_user?: {
    id: number;
    first_name: string;
    last_name: string;
    email: string;
    account_owner: boolean;
    locale: string;
    collaborator: boolean;
    email_verified: boolean;
  };
}

export class SimulatedStore {
  readonly scopes: string;
  private readonly shops = new Map<string, ShopRecord>();
  private readonly accessTokens = new Map<string, IssuedAccessToken>();
  private readonly refreshTokens = new Map<string, IssuedRefreshToken>();
  private readonly buckets = new Map<string, LeakyBucket>();
  private nextShopId = 1;

  constructor(readonly options: StoreSimulatorOptions) {
    this.scopes = options.scopes ?? DEFAULT_SCOPES;
  }

  /** Any *.myshopify.com shop exists as soon as something touches it. */
  ensureShop(domain: string): ShopRecord {
    const existing = this.shops.get(domain);
    if (existing) return existing;
    const record = { shop: defaultShop(domain), numericId: this.nextShopId++ };
    this.shops.set(domain, record);
    return record;
  }

  upsertShop(domain: string, fields: Partial<Omit<SimulatedShop, "domain">> = {}): SimulatedShop {
    const normalized = normalizeShopDomain(domain);
    if (!normalized) throw new Error(`StoreSimulator.upsertShop: "${domain}" is not a *.myshopify.com domain`);
    const record = this.ensureShop(normalized);
    const updated = { ...record.shop, ...withoutUndefined(fields), domain: normalized };
    // A new zone drops the abbreviation of the old one; Shopify's answer gives the one in force then.
    if (fields.ianaTimezone !== undefined && fields.timezoneAbbreviation === undefined) {
      assertTimeZone(updated.ianaTimezone);
      delete updated.timezoneAbbreviation;
    }
    assertCurrencyCode(updated.currencyCode);
    record.shop = updated;
    return { ...updated };
  }

  getShop(domain: string): SimulatedShop | undefined {
    const record = this.shops.get(normalizeShopDomain(domain) ?? domain);
    return record ? { ...record.shop } : undefined;
  }

  accessTokensOf(domain: string): string[] {
    const shop = normalizeShopDomain(domain) ?? domain;
    return [...this.accessTokens].filter(([, issued]) => issued.shop === shop).map(([token]) => token);
  }

  isValidAccessToken(token: string, shop: string): boolean {
    const issued = this.accessTokens.get(token);
    return issued?.shop === shop && (issued.expiresAt === undefined || issued.expiresAt > Date.now());
  }

  /** Replaces the shop's bucket with a full one of another plan's size and restore rate. */
  setRateLimit(shop: string, limits: { bucketSize?: number; restoreRate?: number }): void {
    const current = this.bucketFor(shop);
    this.buckets.set(shop, new LeakyBucket(limits.bucketSize ?? current.size, limits.restoreRate ?? current.restoreRate));
  }

  bucketFor(shop: string): LeakyBucket {
    let bucket = this.buckets.get(shop);
    if (!bucket) {
      bucket = new LeakyBucket(this.options.bucketSize ?? 2000, this.options.restoreRate ?? 100);
      this.buckets.set(shop, bucket);
    }
    return bucket;
  }

  grantOfflineToken(shop: string, expiring: boolean): AccessTokenGrant {
    if (!expiring) return { access_token: this.issueAccessToken(shop), scope: this.scopes };
    const refreshToken = `shprt_sim_${randomHex()}`;
    this.refreshTokens.set(refreshToken, { shop, expiresAt: Date.now() + REFRESH_TOKEN_TTL_SECONDS * 1000 });
    return {
      access_token: this.issueAccessToken(shop, EXPIRING_TOKEN_TTL_SECONDS),
      scope: this.scopes,
      expires_in: EXPIRING_TOKEN_TTL_SECONDS,
      refresh_token: refreshToken,
      refresh_token_expires_in: REFRESH_TOKEN_TTL_SECONDS,
    };
  }

  grantOnlineToken(shop: string, userId: string): AccessTokenGrant {
    const numericUserId = Number(userId);
    return {
      access_token: this.issueAccessToken(shop, ONLINE_TOKEN_TTL_SECONDS),
      scope: this.scopes,
      expires_in: ONLINE_TOKEN_TTL_SECONDS,
      associated_user_scope: this.scopes,
      associated_user: {
        id: Number.isSafeInteger(numericUserId) ? numericUserId : 1,
        first_name: "Sim",
        last_name: "Owner",
        email: this.ensureShop(shop).shop.email,
        account_owner: true,
        locale: "en",
        collaborator: false,
        email_verified: true,
      },
    };
  }

  /** Refresh tokens are single-use: Shopify rotates them on every refresh. */
  redeemRefreshToken(refreshToken: string, shop: string): boolean {
    const issued = this.refreshTokens.get(refreshToken);
    if (!issued || issued.shop !== shop || issued.expiresAt <= Date.now()) return false;
    this.refreshTokens.delete(refreshToken);
    return true;
  }

  private issueAccessToken(shop: string, ttlSeconds?: number): string {
    const token = `shpat_sim_${randomHex()}`;
    const expiresAt = ttlSeconds === undefined ? undefined : Date.now() + ttlSeconds * 1000;
    this.accessTokens.set(token, { shop, expiresAt });
    return token;
  }
}

function defaultShop(domain: string): SimulatedShop {
  const ianaTimezone = "America/New_York";
  return {
    domain,
    name: titleFromSubdomain(domain),
    email: `owner@${domain}`,
    ianaTimezone,
    currencyCode: "USD",
  };
}

/** "demo-shop.myshopify.com" -> "Demo Shop" */
function titleFromSubdomain(domain: string): string {
  const subdomain = domain.slice(0, domain.indexOf("."));
  return subdomain
    .split("-")
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(" ");
}

function abbreviationFormat(ianaTimezone: string): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: ianaTimezone, timeZoneName: "short" });
  } catch {
    throw new Error(`StoreSimulator: unknown IANA time zone "${ianaTimezone}"`);
  }
}

function assertTimeZone(ianaTimezone: string): void {
  abbreviationFormat(ianaTimezone);
}

export function timezoneAbbreviation(ianaTimezone: string, at: Date): string {
  return abbreviationFormat(ianaTimezone).formatToParts(at).find((part) => part.type === "timeZoneName")?.value ?? ianaTimezone;
}

export function assertCurrencyCode(code: string): void {
  const enumType = adminSchema.getType("CurrencyCode");
  if (isEnumType(enumType) && !enumType.getValue(code)) {
    const known = enumType.getValues().map((value) => value.name).join(", ");
    throw new Error(`StoreSimulator: currency "${code}" is not in the simulated CurrencyCode enum (${known}); add it to admin-schema.ts`);
  }
}

export function normalizeShopDomain(domain: string): string | undefined {
  const lower = domain.toLowerCase();
  return SHOP_DOMAIN.test(lower) ? lower : undefined;
}

function withoutUndefined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function randomHex(): string {
  return randomBytes(16).toString("hex");
}
