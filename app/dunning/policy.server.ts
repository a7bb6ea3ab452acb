import type { Prisma } from "../db/client.server";
import { prisma } from "../db/app-database.server";
import { logger } from "../observability/logger.server";
import { DEFAULT_DUNNING_POLICY, type DunningPolicy, parseDunningPolicy, policyFields, type PolicyFields, type PolicyValidation } from "./policy";

type Db = Prisma.TransactionClient;

/** The shop's policy: its saved row, or the defaults while the merchant has not saved one. */
export async function getDunningPolicy(shop: string, db: Db = prisma()): Promise<DunningPolicy> {
  const row = await db.dunningPolicy.findUnique({ where: { shop } });
  if (!row) return DEFAULT_DUNNING_POLICY;
  const parsed = parseDunningPolicy(row);
  // Rows are validated before they are written; one that no longer parses (a rule tightened
  // since) falls back to the defaults rather than stopping dunning for the shop.
  if (!parsed.ok) {
    logger().warn(
      { event: "dunning_policy_invalid", shop, fields: Object.keys(parsed.errors) },
      `${shop}: saved dunning policy is no longer valid (${Object.values(parsed.errors).join(" ")}); using the defaults`,
    );
    return DEFAULT_DUNNING_POLICY;
  }
  return parsed.policy;
}

/** Validates and saves the merchant's policy; an invalid one is not saved and its errors are returned. */
export async function saveDunningPolicy(shop: string, fields: PolicyFields): Promise<PolicyValidation> {
  const parsed = parseDunningPolicy(fields);
  if (!parsed.ok) return parsed;
  await storeDunningPolicy(prisma(), shop, parsed.policy);
  return parsed;
}

/** Writes a validated policy as the shop's (saving the same policy twice changes nothing but its updatedAt). */
export async function storeDunningPolicy(db: Db, shop: string, policy: DunningPolicy): Promise<void> {
  const row = policyFields(policy);
  await db.dunningPolicy.upsert({ where: { shop }, create: { shop, ...row }, update: row });
}
