import { appConfig } from "../config/app-config.server";
import type { Prisma } from "../db/client.server";
import { directQuery, prisma } from "../db/app-database.server";
import { boundValue } from "../db/raw-sql";

// The names and emails of a shop's customers, as the app last read them from Shopify (the
// billing run's due-cycles query, dunning's contract reads): what the admin pages show
// instead of ids, and what their searches match. Written one statement per batch.

type Db = Pick<Prisma.TransactionClient, "customer" | "$executeRawUnsafe">;

/** A contract's customer as a Shopify query answers it. */
export interface CustomerFacts {
  customerId: string;
  displayName: string;
  email: string | null;
}

/** What the admin shows of a customer. */
export interface StoredCustomer {
  customerId: string;
  displayName: string;
  email: string | null;
}

/** MySQL indexes VARCHAR(191); the search key is cut there (names and emails rarely reach it). */
const SEARCH_TEXT_LENGTH = 191;
/** A search matching more customers than this is cut (and says so): the id list stays bounded. */
export const MAX_MATCHING_CUSTOMERS = 500;

/** "José Núñez", "Jose@Example.com" -> "jose nunez jose@example.com": what a search compares. */
export function searchKey(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();
}

function searchTextOf(customer: CustomerFacts): string {
  return searchKey(`${customer.displayName} ${customer.email ?? ""}`).slice(0, SEARCH_TEXT_LENGTH);
}

/**
 * Stores what Shopify said about these customers (one per contract: duplicates are merged)
 * in one statement: new ones are inserted, changed ones updated, unchanged ones left alone.
 */
export async function recordCustomers(shop: string, customers: Array<CustomerFacts | null | undefined>, at: Date, db?: Db): Promise<void> {
  const unique = new Map<string, CustomerFacts>();
  for (const customer of customers) if (customer?.customerId) unique.set(customer.customerId, customer);
  if (unique.size === 0) return;
  const rows = [...unique.values()].map((customer) => [shop, customer.customerId, customer.displayName, customer.email, searchTextOf(customer), at]);
  const provider = appConfig().database.provider;
  const { sql, params } = upsertStatement(provider, rows);
  // Alone (the billing run's batches), one statement straight on the pool; inside a caller's transaction, there.
  if (db) await db.$executeRawUnsafe(sql, ...params);
  else await directQuery(sql, params.map((value) => boundValue(provider, value)));
}

const COLUMNS = ["shop", "customerId", "displayName", "email", "searchText", "updatedAt"];

/** INSERT ... ON CONFLICT / ON DUPLICATE KEY UPDATE, in each provider's dialect; `updatedAt` moves only on a change. */
function upsertStatement(provider: string, rows: unknown[][]): { sql: string; params: unknown[] } {
  const params = rows.flat();
  if (provider === "mysql") {
    const values = rows.map(() => `(${COLUMNS.map(() => "?").join(", ")})`).join(", ");
    const changed = "NOT (`displayName` <=> VALUES(`displayName`) AND `email` <=> VALUES(`email`))";
    // MySQL assigns left to right: updatedAt is decided before the name and email change.
    return {
      sql:
        `INSERT INTO \`Customer\` (${COLUMNS.map((column) => `\`${column}\``).join(", ")}) VALUES ${values} ` +
        `ON DUPLICATE KEY UPDATE \`updatedAt\` = IF(${changed}, VALUES(\`updatedAt\`), \`updatedAt\`), ` +
        "`displayName` = VALUES(`displayName`), `email` = VALUES(`email`), `searchText` = VALUES(`searchText`)",
      params,
    };
  }
  const postgres = provider === "postgresql";
  let index = 0;
  const placeholder = (column: string) => (postgres ? `$${++index}${column === "updatedAt" ? "::timestamp(3)" : ""}` : "?");
  const values = rows.map(() => `(${COLUMNS.map(placeholder).join(", ")})`).join(", ");
  // Null-safe "differs": SQLite spells it IS NOT.
  const differs = postgres ? "IS DISTINCT FROM" : "IS NOT";
  return {
    sql:
      `INSERT INTO "Customer" (${COLUMNS.map((column) => `"${column}"`).join(", ")}) VALUES ${values} ` +
      `ON CONFLICT ("shop", "customerId") DO UPDATE SET "displayName" = excluded."displayName", "email" = excluded."email", ` +
      `"searchText" = excluded."searchText", "updatedAt" = excluded."updatedAt" ` +
      `WHERE "Customer"."displayName" ${differs} excluded."displayName" OR "Customer"."email" ${differs} excluded."email"`,
    params,
  };
}

/** The stored customers among `customerIds` (at most a page's worth), by id. */
export async function findCustomers(shop: string, customerIds: Array<string | null | undefined>, db: Pick<Prisma.TransactionClient, "customer"> = prisma()) {
  const ids = [...new Set(customerIds.filter((id): id is string => Boolean(id)))];
  if (ids.length === 0) return new Map<string, StoredCustomer>();
  const rows = await db.customer.findMany({
    where: { shop, customerId: { in: ids } },
    select: { customerId: true, displayName: true, email: true },
  });
  return new Map(rows.map((row) => [row.customerId, row]));
}

/**
 * The ids of the shop's customers whose name or email contains `text` (any case, accents
 * ignored), at most MAX_MATCHING_CUSTOMERS; `cut` when more matched.
 */
export async function searchCustomers(shop: string, text: string): Promise<{ customerIds: string[]; cut: boolean }> {
  const key = searchKey(text);
  if (!key) return { customerIds: [], cut: false };
  const rows = await prisma().customer.findMany({
    where: { shop, searchText: { contains: key } },
    select: { customerId: true },
    orderBy: { searchText: "asc" },
    take: MAX_MATCHING_CUSTOMERS + 1,
  });
  return { customerIds: rows.slice(0, MAX_MATCHING_CUSTOMERS).map((row) => row.customerId), cut: rows.length > MAX_MATCHING_CUSTOMERS };
}

/** One customer's stored record, for a privacy request. */
export function findCustomer(db: Pick<Prisma.TransactionClient, "customer">, shop: string, customerId: string) {
  return db.customer.findUnique({ where: { shop_customerId: { shop, customerId } }, select: { displayName: true, email: true, updatedAt: true } });
}

/** customers/redact: what the app kept of one customer. */
export async function eraseCustomer(db: Pick<Prisma.TransactionClient, "customer">, shop: string, customerId: string): Promise<number> {
  return (await db.customer.deleteMany({ where: { shop, customerId } })).count;
}

/** shop/redact: every customer of the shop. */
export async function eraseShopCustomers(db: Pick<Prisma.TransactionClient, "customer">, shop: string): Promise<number> {
  return (await db.customer.deleteMany({ where: { shop } })).count;
}
