import type { Prisma, PrismaClient } from "../../app/db/client.server";
import { billingAttemptIdempotencyKey } from "../../app/attempts/idempotency-key";
import { localDateAt } from "../../app/time/due-time";

/**
 * A shop's last 90 days of failed payments, written straight into the database (createMany),
 * as dunning on the default policy would have left them: temporary declines retried on days
 * 1, 4, 9 and 16 (none recovered by the 4th retry), expired cards waiting for the customer,
 * out-of-stock failures on the inventory schedule, 3-D Secure, a shop setup problem, a few
 * contracts cancelled elsewhere. Deterministic (a fixed seed) and on fixed dates: what the
 * integration tests check the read model against, and what the browser tests' pages show.
 */

const DAY = 86_400_000;
const SOFT_CODES = ["INSUFFICIENT_FUNDS", "DO_NOT_HONOR", "CARD_DECLINED"];
/** A retry's chance to pass, by retry number: the 4th never does. */
const SOFT_CHANCES = [0.25, 0.15, 0.08, 0];
const SOFT_DAYS = [1, 4, 9, 16];
const INVENTORY_DAYS = [1, 3];
const INVENTORY_CHANCES = [0.5, 0.3];
const PRICES = ["19.00", "24.50", "35.00", "49.99"];

export interface SeedOptions {
  shop: string;
  /** The end of the window (the tests' clock). */
  now: Date;
  timeZone: string;
  currencyCode: string;
  payments?: number;
  seed?: number;
  /** Contract ids start here (keep shops' and other tests' contracts apart). */
  firstContract?: number;
}

export interface SeededHistory {
  payments: number;
  byStatus: Record<string, number>;
  /** Retries with a result, by retry number: how many, and how many recovered the payment. */
  retries: Record<number, { attempts: number; recovered: number }>;
  /** Temporary declines' 4th retries (all failed). */
  fourthRetries: number;
  emailsSent: number;
  recoveredAmounts: Record<string, string>;
}

function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function seedRecoveryHistory(prisma: PrismaClient, options: SeedOptions): Promise<SeededHistory> {
  const { shop, now, timeZone, currencyCode, payments = 240, seed = 20260114, firstContract = 900_000 } = options;
  const next = random(seed);
  const attempts: Prisma.BillingAttemptCreateManyInput[] = [];
  const trackers: Prisma.DunningTrackerCreateManyInput[] = [];
  const summary: SeededHistory = { payments, byStatus: {}, retries: {}, fourthRetries: 0, emailsSent: 0, recoveredAmounts: {} };
  const cents: Record<string, number> = {};

  for (let index = 0; index < payments; index++) {
    const contractId = `gid://shopify/SubscriptionContract/${firstContract + index}`;
    const customerId = `gid://shopify/Customer/${firstContract + index}`;
    const openedAt = new Date(now.getTime() - (1 + next() * 88) * DAY);
    const ageDays = (now.getTime() - openedAt.getTime()) / DAY;
    const amount = PRICES[index % PRICES.length];
    const roll = next();
    const kind = roll < 0.62 ? "soft" : roll < 0.82 ? "hard" : roll < 0.9 ? "inventory" : roll < 0.94 ? "challenge" : roll < 0.96 ? "merchant" : "abandoned";
    const code = kind === "soft" || kind === "abandoned" ? SOFT_CODES[index % SOFT_CODES.length] : kind === "hard" ? "EXPIRED_CARD" : kind === "inventory" ? "INSUFFICIENT_INVENTORY" : kind === "merchant" ? "TEST_MODE" : null;
    const attempt = (attemptNumber: number, day: number, status: string) =>
      attempts.push({
        shop,
        contractId,
        billingCycleIndex: 1,
        attemptNumber,
        idempotencyKey: billingAttemptIdempotencyKey(contractId, 1, attemptNumber),
        customerId,
        status,
        errorCode: status === "FAILED" ? (code ?? "CARD_DECLINED") : null,
        expectedBillingDate: openedAt,
        runLocalDate: localDateAt(new Date(openedAt.getTime() + day * DAY), timeZone),
        sentAt: new Date(openedAt.getTime() + day * DAY + 60_000),
        completedAt: new Date(openedAt.getTime() + day * DAY + 65_000),
        createdAt: new Date(openedAt.getTime() + day * DAY + 60_000),
      });
    const retried = (retryNumber: number, recovered: boolean) => {
      const counts = (summary.retries[retryNumber] ??= { attempts: 0, recovered: 0 });
      counts.attempts += 1;
      if (recovered) counts.recovered += 1;
    };
    attempt(1, 0, kind === "challenge" ? "ACTION_REQUIRED" : "FAILED");

    let status = "OPEN";
    let closedDay: number | null = null;
    let finalAction: string | null = null;
    let emails = 0;
    let attemptCount = 1;
    if (kind === "soft") {
      emails = 1;
      for (let retry = 0; retry < SOFT_DAYS.length && SOFT_DAYS[retry] <= ageDays; retry++) {
        const success = next() < SOFT_CHANCES[retry];
        attempt(retry + 2, SOFT_DAYS[retry], success ? "SUCCEEDED" : "FAILED");
        attemptCount = retry + 2;
        retried(retry + 1, success);
        if (retry === 3) summary.fourthRetries += 1;
        if (success) {
          [status, closedDay] = ["RECOVERED", SOFT_DAYS[retry]];
          break;
        }
        // Emails at the failures of days 4 and 9 (72 hours after the last); day 1's is held back, day 16's is followed by the final action.
        if (retry === 1 || retry === 2) emails += 1;
        if (retry === 3) [status, closedDay, finalAction] = ["EXHAUSTED", 16, "PAUSE"];
      }
    } else if (kind === "hard") {
      emails = 1;
      const updatesOnDay = next() < 0.35 ? Math.floor(next() * 6) : null;
      if (updatesOnDay !== null && updatesOnDay <= ageDays) {
        attempt(2, updatesOnDay, "SUCCEEDED");
        attemptCount = 2;
        retried(1, true);
        [status, closedDay] = ["RECOVERED", updatesOnDay];
      } else if (ageDays >= 16) [status, closedDay, finalAction] = ["EXHAUSTED", 16, "PAUSE"];
      else status = "WAITING_FOR_PAYMENT_METHOD";
    } else if (kind === "inventory") {
      for (let retry = 0; retry < INVENTORY_DAYS.length && INVENTORY_DAYS[retry] <= ageDays; retry++) {
        const success = next() < INVENTORY_CHANCES[retry];
        attempt(retry + 2, INVENTORY_DAYS[retry], success ? "SUCCEEDED" : "FAILED");
        attemptCount = retry + 2;
        retried(retry + 1, success);
        if (success) {
          [status, closedDay] = ["RECOVERED", INVENTORY_DAYS[retry]];
          break;
        }
        if (retry === 1) [status, closedDay, finalAction] = ["EXHAUSTED", 3, "SKIP"];
      }
    } else if (kind === "challenge") {
      status = "ACTION_REQUIRED";
    } else if (kind === "merchant") {
      [status, closedDay] = ["STOPPED", 0];
    } else {
      emails = 1;
      if (ageDays >= 1) {
        attempt(2, 1, "FAILED");
        attemptCount = 2;
        retried(1, false);
      }
      if (ageDays >= 2) [status, closedDay] = ["ABANDONED", 2];
    }
    summary.byStatus[status] = (summary.byStatus[status] ?? 0) + 1;
    summary.emailsSent += emails;
    if (status === "RECOVERED") cents[currencyCode] = (cents[currencyCode] ?? 0) + Math.round(Number(amount) * 100);
    trackers.push({
      shop,
      contractId,
      billingCycleIndex: 1,
      customerId,
      status,
      attemptCount,
      nextAction: status === "OPEN" ? "RETRY" : status === "WAITING_FOR_PAYMENT_METHOD" ? "FINAL_ACTION" : null,
      nextActionAt: status === "OPEN" || status === "WAITING_FOR_PAYMENT_METHOD" ? new Date(now.getTime() + DAY) : null,
      finalAction: finalAction ?? (status === "WAITING_FOR_PAYMENT_METHOD" ? "PAUSE" : null),
      finalActionAppliedAt: finalAction ? new Date(openedAt.getTime() + (closedDay as number) * DAY) : null,
      emailsSent: emails,
      lastEmailSentAt: emails > 0 ? openedAt : null,
      lastErrorClass: { soft: "SOFT", abandoned: "SOFT", hard: "HARD", inventory: "INVENTORY", challenge: "CHALLENGE", merchant: "MERCHANT" }[kind],
      lastErrorCode: code?.toLowerCase() ?? null,
      amount,
      currencyCode,
      recoveredAmount: status === "RECOVERED" ? amount : null,
      openedAt,
      completedAt: closedDay === null ? null : new Date(openedAt.getTime() + closedDay * DAY + 120_000),
      completedReason: closedDay === null ? null : `Seeded: ${status.toLowerCase()}.`,
    });
  }
  await prisma.billingAttempt.createMany({ data: attempts });
  await prisma.dunningTracker.createMany({ data: trackers });
  for (const [currency, total] of Object.entries(cents)) summary.recoveredAmounts[currency] = (total / 100).toFixed(2);
  return summary;
}
