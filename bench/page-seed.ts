/**
 * What `npm run bench:pages` measures the admin pages on: one shop's year of billing written
 * straight into the database with createMany, in a realistic mix. About 84,000 first
 * charges of 7,000 monthly contracts (one customer each), 10,000 of them failed or
 * challenged and followed by a dunning tracker (1,200 still open), about 16,000 retries,
 * 40,000 history lines and one tracker with 3,000 of them. Deterministic (a fixed seed).
 */
import type { Prisma, PrismaClient } from "../app/db/client.server";
import { billingAttemptIdempotencyKey } from "../app/attempts/idempotency-key";
import { searchKey } from "../app/customers/customer-records.server";
import { classifyDecline } from "../app/dunning/decline-classes";
import { localDateAt } from "../app/time/due-time";

export const PAGE_BENCH_SHOP = "bench-pages.myshopify.com";
export const PAGE_BENCH_TIME_ZONE = "America/Los_Angeles";

const FIRST_NAMES = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Aroha", "José", "Mei", "Liam", "Sofia", "Noah", "Amelia", "Wiremu", "Chloé", "Mateo", "Ava", "Hiroshi", "Fatima", "Lucas", "Zoë", "Omar", "Ingrid", "Kai", "Priya", "Tomás"];
const LAST_NAMES = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Pérez", "Thompson", "White", "Harris", "Sánchez", "Clark", "Ramírez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Núñez"];
const PRICES = ["19.00", "24.50", "29.00", "35.00", "49.99", "64.00"];
const SOFT = ["INSUFFICIENT_FUNDS", "CARD_DECLINED", "DO_NOT_HONOR", "TRANSACTION_LIMIT_EXCEEDED", "PROCESSING_ERROR"];
const HARD = ["EXPIRED_CARD", "INCORRECT_NUMBER", "PAYMENT_METHOD_NOT_FOUND", "FRAUD_SUSPECTED"];

const CONTRACTS = 7_000;
const CYCLES = 12;
const TRACKERS = 10_000;
const OPEN_TRACKERS = 1_200;
const DAY = 24 * 3600_000;
const CHUNK = 5_000;

/** mulberry32: a small deterministic generator, so every run seeds the same shop. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const contractGid = (i: number) => `gid://shopify/SubscriptionContract/${500_000 + i}`;
const customerGid = (i: number) => `gid://shopify/Customer/${800_000 + i}`;

export interface SeededShop {
  attempts: number;
  trackers: number;
  openTrackers: number;
  events: number;
  customers: number;
  /** A tracker with a few events, and the one with 3,000. */
  typicalTrackerId: number;
  longTrackerId: number;
  /** Something the searches find: one customer's exact email, a common surname, a contract number. */
  email: string;
  surname: string;
  contractNumber: string;
}

async function inChunks<T>(rows: T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await write(rows.slice(i, i + CHUNK));
}

/** Seeds the shop (its billing schedule and session must exist: install it first). `now` is the billing clock. */
export async function seedPageBenchShop(prisma: PrismaClient, now: Date): Promise<SeededShop> {
  const shop = PAGE_BENCH_SHOP;
  const next = random(20261203);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];

  const customers = Array.from({ length: CONTRACTS }, (_, i) => {
    const first = FIRST_NAMES[i % FIRST_NAMES.length];
    const last = LAST_NAMES[Math.floor(i / FIRST_NAMES.length) % LAST_NAMES.length];
    const displayName = `${first} ${last}`;
    const email = `${searchKey(first)}.${searchKey(last).replace(/\s/g, "")}.${i}@example.com`;
    return { shop, customerId: customerGid(i), displayName, email, searchText: searchKey(`${displayName} ${email}`), updatedAt: now };
  });
  await inChunks(customers, (data) => prisma.customer.createMany({ data }));

  // First charges: contract i is billed on its own day of the month, 12 months back from now.
  const attempts: Prisma.BillingAttemptCreateManyInput[] = [];
  const failures: Array<{ contract: number; cycle: number; at: Date; code: string | null; challenged: boolean }> = [];
  const firstCycleAt = (contract: number) => now.getTime() - CYCLES * 30 * DAY + (contract % 28) * DAY + (contract % 24) * 3600_000;
  for (let contract = 0; contract < CONTRACTS; contract++) {
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const at = new Date(firstCycleAt(contract) + (cycle - 1) * 30 * DAY);
      if (at > now) continue;
      const roll = next();
      const fails = roll < 0.125 && failures.length < TRACKERS;
      const challenged = fails && next() < 0.1;
      const code = fails && !challenged ? (next() < 0.65 ? pick(SOFT) : pick(HARD)) : null;
      const recent = now.getTime() - at.getTime() < 3600_000;
      const status = challenged ? "ACTION_REQUIRED" : fails ? "FAILED" : recent ? "PROCESSING" : roll > 0.995 ? "REJECTED" : "SUCCEEDED";
      if (fails) failures.push({ contract, cycle, at, code, challenged });
      attempts.push({
        shop,
        contractId: contractGid(contract),
        billingCycleIndex: cycle,
        attemptNumber: 1,
        idempotencyKey: billingAttemptIdempotencyKey(contractGid(contract), cycle, 1),
        customerId: customerGid(contract),
        status,
        shopifyAttemptId: status === "REJECTED" ? null : `gid://shopify/SubscriptionBillingAttempt/${attempts.length + 1}`,
        orderId: status === "SUCCEEDED" ? `gid://shopify/Order/${7_000_000 + attempts.length}` : null,
        errorCode: code,
        errorMessage: status === "REJECTED" ? "Billing cycle is already billed" : null,
        expectedBillingDate: at,
        runLocalDate: localDate(at),
        sentAt: at,
        completedAt: status === "PROCESSING" ? null : new Date(at.getTime() + 5_000),
        createdAt: at,
      });
    }
  }

  // The failures' trackers: the latest ones still open, the rest closed in the usual mix.
  failures.sort((a, b) => a.at.getTime() - b.at.getTime());
  const trackers = failures.map((failure, index) => {
    const open = index >= failures.length - OPEN_TRACKERS;
    const roll = next();
    const status = open
      ? failure.challenged
        ? "ACTION_REQUIRED"
        : classifyDecline(failure.code) === "HARD"
          ? "WAITING_FOR_PAYMENT_METHOD"
          : "OPEN"
      : roll < 0.6
        ? "RECOVERED"
        : roll < 0.85
          ? "EXHAUSTED"
          : roll < 0.95
            ? "ABANDONED"
            : "STOPPED";
    const retries = status === "EXHAUSTED" ? 4 : status === "RECOVERED" ? 1 + Math.floor(next() * 3) : open ? Math.floor(next() * 3) : Math.floor(next() * 2);
    const amount = PRICES[failure.contract % PRICES.length];
    const closedAt = new Date(failure.at.getTime() + (retries + 1) * 2 * DAY);
    return { failure, status, retries, amount, open, closedAt };
  });
  for (const tracker of trackers) {
    for (let n = 2; n <= tracker.retries + 1; n++) {
      const at = new Date(tracker.failure.at.getTime() + (n - 1) * 2 * DAY);
      const last = n === tracker.retries + 1;
      const status = tracker.status === "RECOVERED" && last ? "SUCCEEDED" : "FAILED";
      attempts.push({
        shop,
        contractId: contractGid(tracker.failure.contract),
        billingCycleIndex: tracker.failure.cycle,
        attemptNumber: n,
        idempotencyKey: billingAttemptIdempotencyKey(contractGid(tracker.failure.contract), tracker.failure.cycle, n),
        customerId: customerGid(tracker.failure.contract),
        status,
        shopifyAttemptId: `gid://shopify/SubscriptionBillingAttempt/${attempts.length + 1}`,
        orderId: status === "SUCCEEDED" ? `gid://shopify/Order/${7_000_000 + attempts.length}` : null,
        errorCode: status === "FAILED" ? (tracker.failure.code ?? "CARD_DECLINED") : null,
        expectedBillingDate: tracker.failure.at,
        runLocalDate: localDate(at),
        sentAt: at,
        completedAt: new Date(at.getTime() + 5_000),
        createdAt: at > now ? now : at,
      });
    }
  }
  await inChunks(attempts, (data) => prisma.billingAttempt.createMany({ data }));

  await inChunks(
    trackers.map(({ failure, status, retries, amount, open, closedAt }) => {
      const declineClass = failure.challenged ? "CHALLENGE" : classifyDecline(failure.code);
      const nextAt = new Date(now.getTime() + (1 + (failure.contract % 6)) * DAY);
      return {
        shop,
        contractId: contractGid(failure.contract),
        billingCycleIndex: failure.cycle,
        customerId: customerGid(failure.contract),
        status,
        attemptCount: retries + 1,
        nextAction: open && status !== "ACTION_REQUIRED" ? (status === "OPEN" ? "RETRY" : "FINAL_ACTION") : null,
        nextActionAt: open && status !== "ACTION_REQUIRED" ? nextAt : null,
        finalAction: status === "WAITING_FOR_PAYMENT_METHOD" || status === "EXHAUSTED" ? "PAUSE" : null,
        lastEmailSentAt: declineClass === "SOFT" || declineClass === "HARD" ? failure.at : null,
        emailsSent: declineClass === "SOFT" || declineClass === "HARD" ? 1 : 0,
        lastErrorClass: declineClass,
        lastErrorCode: failure.code?.toLowerCase() ?? null,
        amount,
        currencyCode: "USD",
        recoveredAmount: status === "RECOVERED" ? amount : null,
        openedAt: failure.at,
        completedAt: open ? null : closedAt > now ? now : closedAt,
        completedReason: open ? null : status === "RECOVERED" ? `Retry ${retries} succeeded.` : status === "EXHAUSTED" ? "Paused the contract: the retries ran out." : "The contract was cancelled in Shopify: dunning closed without charging.",
      };
    }),
    (data) => prisma.dunningTracker.createMany({ data }),
  );

  const stored = await prisma.dunningTracker.findMany({ where: { shop }, select: { id: true, openedAt: true, status: true }, orderBy: { id: "asc" } });
  const events = stored.flatMap((tracker) =>
    ["OPENED_RETRY_SCHEDULED", "EMAIL_SENT", "RETRY_SENT", tracker.status === "RECOVERED" ? "RECOVERED" : "RETRY_SCHEDULED"].map((kind, i) => ({
      trackerId: tracker.id,
      shop,
      at: new Date(tracker.openedAt.getTime() + i * DAY),
      kind,
      status: tracker.status,
      attemptNumber: i === 0 ? 1 : 2,
      errorCode: i === 0 ? "card_declined" : null,
      detail: i === 0 ? "The charge failed with card_declined: retry 1 of 4 in 1 day." : "Retry 1 sent to Shopify; waiting for its result.",
    })),
  );
  const open = stored.filter((tracker) => tracker.status === "OPEN");
  const typicalTrackerId = open[0].id;
  const longTrackerId = open[open.length - 1].id;
  const long = stored.find((tracker) => tracker.id === longTrackerId)!;
  for (let i = 0; i < 3_000; i++) {
    events.push({ trackerId: longTrackerId, shop, at: new Date(long.openedAt.getTime() - (3_000 - i) * 3600_000), kind: "RETRY_DEFERRED", status: "OPEN", attemptNumber: 2, errorCode: null, detail: "Shopify did not take retry 1 (THROTTLED: slow down); trying again in an hour." });
  }
  await inChunks(events, (data) => prisma.dunningEvent.createMany({ data }));
  await prisma.merchantNotification.createMany({
    data: stored.slice(-200).map((tracker) => ({ shop, kind: "INVENTORY_FAILURE", trackerId: tracker.id, message: "Out of stock." })),
  });

  const sample = customers[1234];
  return {
    attempts: attempts.length,
    trackers: stored.length,
    openTrackers: stored.filter((tracker) => ["OPEN", "WAITING_FOR_PAYMENT_METHOD", "ACTION_REQUIRED"].includes(tracker.status)).length,
    events: events.length,
    customers: customers.length,
    typicalTrackerId,
    longTrackerId,
    email: sample.email,
    surname: "smith",
    contractNumber: String(500_000 + 4321),
  };
}

/** The shop's calendar date of an instant, as billing runs are dated. */
function localDate(at: Date): string {
  return localDateAt(at, PAGE_BENCH_TIME_ZONE);
}
