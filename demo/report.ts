/**
 * What the demo prints about the month: a line per simulated day, the totals, and the
 * invariants it can check from both sides (the simulated Shopify and the app's database).
 */
import type { PrismaClient } from "../app/db/client.server";
import type { AttemptSnapshot, StoreSimulator } from "../simulator/store-simulator";
import { DAY_MS, type SchedulerDay } from "./scheduler";

/** A cycle expected this long before the last call has had its shop's daily run (plus a step and a DST hour). */
const BILLED_WITHIN_MS = 26 * 3_600_000;

export const DAY_HEADER =
  "  Day  Date (UTC)      Calls  Runs  Sent  Charged  Failed  3DS  Rejected  Caught up  Retries  Recovered  Final  Emails  Failures";

function allAttempts(simulator: StoreSimulator, shops: string[]): Array<AttemptSnapshot & { shop: string }> {
  return shops.flatMap((shop) => simulator.billingAttempts(shop).map((attempt) => ({ ...attempt, shop })));
}

/** "INSUFFICIENT_FUNDS 3, EXPIRED_CARD 1", most frequent first. */
function topErrors(attempts: AttemptSnapshot[], limit = 3): string {
  const counts = new Map<string, number>();
  for (const { errorCode } of attempts) if (errorCode) counts.set(errorCode, (counts.get(errorCode) ?? 0) + 1);
  return [...counts]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, limit)
    .map(([code, count]) => `${code} ${count}`)
    .join(", ");
}

/**
 * One day: the endpoint's answers, the outcomes the simulator completed that day (first
 * charges and retries), and dunning: retries sent, trackers recovered, final actions
 * applied and payment-update emails sent.
 */
export async function formatDay(day: SchedulerDay, simulator: StoreSimulator, prisma: PrismaClient, shops: string[]): Promise<string> {
  const end = day.from.getTime() + DAY_MS;
  const completed = allAttempts(simulator, shops).filter(
    ({ completedAt }) => completedAt !== null && completedAt.getTime() >= day.from.getTime() && completedAt.getTime() < end,
  );
  const failed = completed.filter((attempt) => attempt.state === "failed");
  const recovered = await prisma.dunningTracker.count({
    where: { shop: { in: shops }, status: "RECOVERED", completedAt: { gte: day.from, lt: new Date(end) } },
  });
  const finalActions = Object.values(day.finalActions).reduce((sum, count) => sum + count, 0);
  const date = day.from.toLocaleDateString("en-US", { weekday: "short", timeZone: "UTC" });
  const notes = [
    topErrors(failed),
    finalActions > 0 ? `final ${Object.entries(day.finalActions).filter(([, count]) => count > 0).map(([action, count]) => `${action} ${count}`).join(", ")}` : "",
    day.cardsUpdated > 0 ? `${day.cardsUpdated} card${day.cardsUpdated === 1 ? "" : "s"} updated` : "",
    day.hoursDown > 0 ? `scheduler down ${day.hoursDown} h` : "",
    day.deferred ? `${day.deferred} shop runs deferred` : "",
  ];
  const columns: Array<[number | string, number]> = [
    [day.index + 1, 5],
    [`${date} ${day.from.toISOString().slice(0, 10)}`, 16],
    [day.calls, 7],
    [day.shopRuns + day.shopRunsFailed, 6],
    [day.sent, 6],
    [completed.filter((attempt) => attempt.state === "success").length, 9],
    [failed.length, 8],
    [completed.filter((attempt) => attempt.state === "action_required").length, 5],
    [day.rejected, 10],
    [day.caughtUpDates, 11],
    [day.retriesSent, 9],
    [recovered, 11],
    [finalActions, 7],
    [day.emailsSent, 8],
  ];
  return `${columns.map(([value, width]) => String(value).padStart(width)).join("")}  ${notes.filter(Boolean).join("; ")}`.trimEnd();
}

/** Exact sums of decimal strings, in hundredths. */
export function cents(amount: string): number {
  const [whole, fraction = ""] = amount.split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0").slice(0, 2));
}

export function formatTotals(simulator: StoreSimulator, shops: string[]): string[] {
  const attempts = allAttempts(simulator, shops);
  const byState = (state: AttemptSnapshot["state"]) => attempts.filter((attempt) => attempt.state === state);
  const charged = new Map<string, { cents: number; orders: number }>();
  for (const order of shops.flatMap((shop) => simulator.orders(shop))) {
    const sum = charged.get(order.currencyCode) ?? { cents: 0, orders: 0 };
    charged.set(order.currencyCode, { cents: sum.cents + cents(order.amount), orders: sum.orders + 1 });
  }
  const money = [...charged].map(
    ([currency, sum]) => `${currency} ${(sum.cents / 100).toLocaleString("en-US", { minimumFractionDigits: 2 })} (${sum.orders} orders)`,
  );
  return [
    `  Billing attempts: ${attempts.length}: ${byState("success").length} charged, ${byState("failed").length} failed ` +
      `(${topErrors(byState("failed"), 10)}), ${byState("action_required").length} awaiting 3-D Secure, ${byState("pending").length} still processing`,
    `  Charged: ${money.join(", ")}`,
  ];
}

export interface Check {
  /** FAIL: the app did something it must never do, or left something undone. */
  status: "ok" | "FAIL";
  line: string;
}

const APP_STATUS: Record<AttemptSnapshot["state"], string> = {
  success: "SUCCEEDED",
  failed: "FAILED",
  action_required: "ACTION_REQUIRED",
  pending: "PROCESSING",
};

/** Invariants visible from outside the app: nothing charged twice, nothing lost, nothing forgotten. */
export async function checkInvariants(
  simulator: StoreSimulator,
  prisma: PrismaClient,
  shops: string[],
  lastCall: Date,
  days: number,
): Promise<Check[]> {
  const attempts = allAttempts(simulator, shops);
  const charges = new Map<string, number>();
  for (const attempt of attempts.filter(({ state }) => state === "success")) {
    const cycle = `${attempt.contractId} cycle ${attempt.cycleIndex}`;
    charges.set(cycle, (charges.get(cycle) ?? 0) + 1);
  }
  const orders = shops.flatMap((shop) => simulator.orders(shop));
  const orderedCycles = new Set(orders.map((order) => `${order.contractId} cycle ${order.cycleIndex}`));
  const chargedTwice = [...charges].filter(([, count]) => count > 1).map(([cycle]) => cycle);
  if (orderedCycles.size !== orders.length) chargedTwice.push("(two orders for one cycle)");

  const recorded = new Map((await prisma.billingAttempt.findMany()).map((row) => [row.idempotencyKey, row]));
  const mismatched = attempts.filter((attempt) => {
    const row = recorded.get(attempt.idempotencyKey);
    return !row || row.shopifyAttemptId !== attempt.id || row.status !== APP_STATUS[attempt.state] || (row.errorCode ?? null) !== attempt.errorCode;
  });
  const simulatedKeys = new Set(attempts.map((attempt) => attempt.idempotencyKey));
  const unknownToShopify = [...recorded.values()].filter((row) => !simulatedKeys.has(row.idempotencyKey) && row.status !== "REJECTED");

  const cutoff = lastCall.getTime() - BILLED_WITHIN_MS;
  const forgotten = shops.flatMap((shop) =>
    simulator
      .listContracts(shop)
      .filter((contract) => contract.status === "ACTIVE")
      .flatMap((contract) =>
        simulator
          .billingCycles(shop, contract.id, { count: Math.ceil(days / 7) + 2 })
          .filter((cycle) => !cycle.skipped && cycle.billingAttemptExpectedDate.getTime() <= cutoff && cycle.attemptIds.length === 0)
          .map((cycle) => `${contract.id} cycle ${cycle.cycleIndex} (expected ${utcMinute(cycle.billingAttemptExpectedDate)})`),
      ),
  );

  return [
    {
      status: chargedTwice.length === 0 ? "ok" : "FAIL",
      line: `no billing cycle charged twice (${charges.size} cycles charged, ${orders.length} orders)${list(chargedTwice)}`,
    },
    {
      status: mismatched.length === 0 && unknownToShopify.length === 0 ? "ok" : "FAIL",
      line:
        `every attempt the simulated Shopify made is recorded by the app, with its outcome (${attempts.length} attempts)` +
        list(mismatched.map((attempt) => `${attempt.idempotencyKey}: ${attempt.state} in Shopify, ${recorded.get(attempt.idempotencyKey)?.status ?? "missing"} in the app`)) +
        list(unknownToShopify.map((row) => `${row.idempotencyKey}: ${row.status} in the app, unknown to Shopify`)),
    },
    forgotten.length === 0
      ? { status: "ok", line: `every cycle due by ${utcMinute(new Date(cutoff))} was attempted` }
      : { status: "FAIL", line: `${forgotten.length} cycles due by ${utcMinute(new Date(cutoff))} were never attempted${list(forgotten)}` },
  ];
}

export const utcMinute = (date: Date): string => `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;

export function list(problems: string[]): string {
  if (problems.length === 0) return "";
  const shown = problems.slice(0, 5).join("; ");
  return `: ${shown}${problems.length > 5 ? ` and ${problems.length - 5} more` : ""}`;
}
