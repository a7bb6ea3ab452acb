/**
 * What the demo prints and checks about dunning: the failed cycles the app followed up
 * (retries, payment-update emails, final actions), read from the app's database and from
 * what the simulated Shopify saw, and the invariants that hold between the two.
 */
import { parseBillingAttemptIdempotencyKey } from "../app/attempts/idempotency-key";
import type { DunningTracker, PrismaClient } from "../app/db/client.server";
import { classifyDecline, DeclineClass } from "../app/dunning/decline-classes";
import { OPEN_TRACKER_STATUSES, TrackerStatus } from "../app/dunning/next-step";
import { DEFAULT_DUNNING_POLICY, FINAL_ACTIONS, type FinalAction } from "../app/dunning/policy";
import type {
  AttemptSnapshot,
  ContractActionSnapshot,
  ContractSnapshot,
  OrderSnapshot,
  StoreSimulator,
} from "../simulator/store-simulator";
import { cents, type Check, list, utcMinute } from "./report";
import type { SchedulerDay } from "./scheduler";
import type { CardUpdate } from "./shops";

const HOUR_MS = 3_600_000;
/** A tracker whose retry, final action or email was due this long before the last call was forgotten. */
const OVERDUE_AFTER_MS = HOUR_MS;

type Shopped<T> = T & { shop: string };

/** Everything the dunning report and checks read, gathered once at the end. */
export interface DunningFacts {
  trackers: DunningTracker[];
  events: Array<{ trackerId: number; at: Date; kind: string }>;
  attempts: Array<Shopped<AttemptSnapshot>>;
  orders: Array<Shopped<OrderSnapshot>>;
  contractActions: Array<Shopped<ContractActionSnapshot>>;
  contracts: Array<Shopped<ContractSnapshot>>;
  /** "shop contractId cycle n" of the cycles exhausted trackers skipped, that Shopify shows as skipped. */
  skippedCycles: Set<string>;
  emails: Array<{ shop: string; paymentMethodId: string; customerId: string; sentAt: Date }>;
  /** Hours between payment-update emails, by shop (its saved policy or the default). */
  emailIntervalHours: Map<string, number>;
  /** The card updates the scheduler made, at the simulated time it made them. */
  cardUpdates: CardUpdate[];
}

const cycleKey = (shop: string, contractId: string, cycleIndex: number) => `${shop} ${contractId} cycle ${cycleIndex}`;
const attemptNumberOf = (attempt: AttemptSnapshot) => parseBillingAttemptIdempotencyKey(attempt.idempotencyKey)?.attemptNumber ?? 1;
const isOpen = (tracker: DunningTracker) => (OPEN_TRACKER_STATUSES as readonly string[]).includes(tracker.status);
const describe = (tracker: DunningTracker) => `tracker ${tracker.id} (${tracker.contractId.split("/").pop()} cycle ${tracker.billingCycleIndex}, ${tracker.status})`;

export async function gatherDunningFacts(
  simulator: StoreSimulator,
  prisma: PrismaClient,
  shops: string[],
  cardUpdates: CardUpdate[],
): Promise<DunningFacts> {
  const trackers = await prisma.dunningTracker.findMany({ where: { shop: { in: shops } }, orderBy: { id: "asc" } });
  const events = await prisma.dunningEvent.findMany({
    where: { shop: { in: shops } },
    select: { trackerId: true, at: true, kind: true },
    orderBy: [{ at: "asc" }, { id: "asc" }],
  });
  const policies = await prisma.dunningPolicy.findMany({ where: { shop: { in: shops } } });
  const skippedCycles = new Set<string>();
  for (const tracker of trackers.filter((candidate) => candidate.finalAction === "SKIP" && candidate.status === TrackerStatus.Exhausted)) {
    const [cycle] = simulator.billingCycles(tracker.shop, tracker.contractId, { from: tracker.billingCycleIndex, count: 1 });
    if (cycle?.skipped) skippedCycles.add(cycleKey(tracker.shop, tracker.contractId, tracker.billingCycleIndex));
  }
  const withShop = <T>(read: (shop: string) => T[]) => shops.flatMap((shop) => read(shop).map((item) => ({ ...item, shop })));
  return {
    trackers,
    events,
    attempts: withShop((shop) => simulator.billingAttempts(shop)),
    orders: withShop((shop) => simulator.orders(shop)),
    contractActions: withShop((shop) => simulator.contractActions(shop)),
    contracts: withShop((shop) => simulator.listContracts(shop)),
    skippedCycles,
    emails: withShop((shop) => simulator.paymentUpdateEmails(shop)),
    emailIntervalHours: new Map(
      shops.map((shop) => [
        shop,
        policies.find((policy) => policy.shop === shop)?.paymentUpdateEmailIntervalHours ?? DEFAULT_DUNNING_POLICY.paymentUpdateEmailIntervalHours,
      ]),
    ),
    cardUpdates,
  };
}

/** The successful attempts of each cycle. */
function successesByCycle(facts: DunningFacts): Map<string, Array<Shopped<AttemptSnapshot>>> {
  const byCycle = new Map<string, Array<Shopped<AttemptSnapshot>>>();
  for (const attempt of facts.attempts.filter(({ state }) => state === "success")) {
    const key = cycleKey(attempt.shop, attempt.contractId, attempt.cycleIndex);
    byCycle.set(key, [...(byCycle.get(key) ?? []), attempt]);
  }
  return byCycle;
}

function countBy<T>(items: T[], keyOf: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1);
  return counts;
}

const formatCounts = (counts: Map<string, number>, order?: readonly string[]) =>
  [...counts]
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => (order ? order.indexOf(a) - order.indexOf(b) : 0))
    .map(([name, count]) => `${name} ${count}`)
    .join(", ");

const percent = (part: number, whole: number) => (whole === 0 ? "n/a" : `${((100 * part) / whole).toFixed(1)}%`);

/** The report's dunning section. */
export function formatDunning(facts: DunningFacts, days: SchedulerDay[], shopNames: Map<string, string>): string[] {
  const { trackers } = facts;
  const withStatus = (status: string) => trackers.filter((tracker) => tracker.status === status);
  const recovered = withStatus(TrackerStatus.Recovered);
  const exhausted = withStatus(TrackerStatus.Exhausted);
  const stopped = withStatus(TrackerStatus.Stopped);
  const stillOpen = trackers.filter(isOpen);
  const byAction = countBy(exhausted, (tracker) => tracker.finalAction ?? "?");
  const openByStatus = countBy(stillOpen, (tracker) => tracker.status);

  const successes = successesByCycle(facts);
  const updatedContracts = new Set(facts.cardUpdates.map((update) => `${update.shop} ${update.contractId}`));
  const recoveredAt = countBy(recovered, (tracker) => {
    const [paid] = successes.get(cycleKey(tracker.shop, tracker.contractId, tracker.billingCycleIndex)) ?? [];
    return String(paid ? attemptNumberOf(paid) : tracker.attemptCount);
  });
  const byAttempt = [...recoveredAt]
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([attempt, count]) => `attempt ${attempt} ${attempt === "1" ? "(after 3-D Secure)" : `(retry ${Number(attempt) - 1})`} ${count}`);
  const afterCardUpdate = recovered.filter((tracker) => updatedContracts.has(`${tracker.shop} ${tracker.contractId}`)).length;

  const retries = facts.attempts.filter((attempt) => attemptNumberOf(attempt) > 1);
  const retryOutcomes = countBy(retries, (attempt) => ({ success: "charged", failed: "failed", action_required: "3-D Secure", pending: "processing" })[attempt.state]);
  const retriesSent = days.reduce((sum, day) => sum + day.retriesSent, 0);
  const held = days.reduce((sum, day) => sum + day.emailsSuppressed, 0);

  // Currencies in the shops' order, as the totals list them.
  const recoveredMoney = new Map(facts.contracts.map((contract) => [contract.currencyCode, { cents: 0, count: 0 }]));
  for (const tracker of recovered) {
    const sum = recoveredMoney.get(tracker.currencyCode ?? "?") ?? { cents: 0, count: 0 };
    recoveredMoney.set(tracker.currencyCode ?? "?", { cents: sum.cents + cents(tracker.recoveredAmount ?? "0"), count: sum.count + 1 });
  }
  const money = [...recoveredMoney].filter(([, sum]) => sum.count > 0).map(
    ([currency, sum]) => `${currency} ${(sum.cents / 100).toLocaleString("en-US", { minimumFractionDigits: 2 })} (${sum.count})`,
  );
  const actionsByShop = [...shopNames]
    .map(([shop, name]) => {
      const counts = countBy(exhausted.filter((tracker) => tracker.shop === shop), (tracker) => tracker.finalAction ?? "?");
      return counts.size > 0 ? `${name} ${formatCounts(counts, FINAL_ACTIONS)}` : "";
    })
    .filter(Boolean);
  const closedCount = recovered.length + exhausted.length + stopped.length;

  return [
    `  Trackers opened: ${trackers.length} (one per failed billing cycle)`,
    `    recovered ${recovered.length}; exhausted ${exhausted.length}${exhausted.length ? ` (${formatCounts(byAction, FINAL_ACTIONS)})` : ""}; ` +
      `abandoned ${withStatus(TrackerStatus.Abandoned).length}; stopped ${stopped.length}; ` +
      `still open ${stillOpen.length}${stillOpen.length ? ` (${formatCounts(openByStatus, OPEN_TRACKER_STATUSES)})` : ""}`,
    `  Recovery rate: ${percent(recovered.length, closedCount)} = ${recovered.length} recovered / ` +
      `(${recovered.length} recovered + ${exhausted.length} exhausted + ${stopped.length} stopped)`,
    `  Recoveries by attempt: ${byAttempt.join(", ") || "none yet"}${afterCardUpdate ? `; ${afterCardUpdate} after the customer updated the card` : ""}`,
    `  Retries sent: ${retriesSent}${retries.length ? ` (${formatCounts(retryOutcomes)})` : ""}`,
    `  Payment-update emails: ${facts.emails.length} sent, ${held} held back (at most one per tracker every ` +
      `${[...new Set(facts.emailIntervalHours.values())].join("/")} h); ${facts.cardUpdates.length} customer${facts.cardUpdates.length === 1 ? "" : "s"} updated their card`,
    `  Recovered: ${money.join(", ") || "nothing yet"}`,
    `  Final actions applied: ${actionsByShop.join("; ") || "none yet"}`,
  ];
}

/** Invariants of dunning, each seen from both sides where it can be. */
export function checkDunning(facts: DunningFacts, lastCall: Date): Check[] {
  return [
    finalActionsAppliedOnce(facts),
    recoveriesChargedOnce(facts),
    emailsSpacedOut(facts),
    hardDeclinesWaitForTheCustomer(facts),
    openTrackersHaveANextStep(facts, lastCall),
    failedCyclesFollowedUp(facts),
  ];
}

const check = (problems: string[], line: string): Check => ({ status: problems.length === 0 ? "ok" : "FAIL", line: `${line}${list(problems)}` });

/** Each exhausted tracker's final action happened once in Shopify (and stuck); Shopify saw no other contract action. */
function finalActionsAppliedOnce(facts: DunningFacts): Check {
  const actionKey = (shop: string, contractId: string, action: string, cycleIndex?: number) =>
    `${shop} ${contractId} ${action}${action === "SKIP" ? ` cycle ${cycleIndex}` : ""}`;
  const applied = countBy(facts.contractActions, (entry) => actionKey(entry.shop, entry.contractId, entry.action, entry.cycleIndex));
  const exhausted = facts.trackers.filter((tracker) => tracker.status === TrackerStatus.Exhausted);
  const expected = new Set<string>();
  const successes = successesByCycle(facts);
  const problems: string[] = [];
  for (const tracker of exhausted) {
    const action = tracker.finalAction as FinalAction | null;
    if (!action) {
      problems.push(`${describe(tracker)} has no final action`);
      continue;
    }
    const key = actionKey(tracker.shop, tracker.contractId, action, tracker.billingCycleIndex);
    if (expected.has(key)) problems.push(`${describe(tracker)}: another tracker already applied ${action}`);
    expected.add(key);
    const times = applied.get(key) ?? 0;
    if (times !== 1) problems.push(`${describe(tracker)}: ${action} made ${times} times in Shopify`);
    const contract = facts.contracts.find((candidate) => candidate.shop === tracker.shop && candidate.id === tracker.contractId);
    const stuck =
      action === "SKIP"
        ? facts.skippedCycles.has(cycleKey(tracker.shop, tracker.contractId, tracker.billingCycleIndex))
        : contract?.status === { PAUSE: "PAUSED", CANCEL: "CANCELLED" }[action];
    if (!stuck) problems.push(`${describe(tracker)}: ${action} does not show in Shopify (contract ${contract?.status ?? "missing"})`);
    if (successes.has(cycleKey(tracker.shop, tracker.contractId, tracker.billingCycleIndex))) problems.push(`${describe(tracker)}: the cycle was charged`);
  }
  for (const entry of facts.contractActions) {
    const key = actionKey(entry.shop, entry.contractId, entry.action, entry.cycleIndex);
    if (!expected.has(key)) problems.push(`${entry.action} of ${entry.contractId.split("/").pop()}${entry.cycleIndex ? ` cycle ${entry.cycleIndex}` : ""} at ${utcMinute(entry.at)} without an exhausted tracker`);
  }
  return check(
    problems,
    `every exhausted tracker's final action was made once in Shopify, and no other (${exhausted.length} exhausted, ${facts.contractActions.length} contract actions)`,
  );
}

/** A recovered tracker's cycle was charged exactly once, by its latest attempt, for the amount it recorded. */
function recoveriesChargedOnce(facts: DunningFacts): Check {
  const successes = successesByCycle(facts);
  const recovered = facts.trackers.filter((tracker) => tracker.status === TrackerStatus.Recovered);
  const problems: string[] = [];
  for (const tracker of recovered) {
    const paid = successes.get(cycleKey(tracker.shop, tracker.contractId, tracker.billingCycleIndex)) ?? [];
    if (paid.length !== 1) {
      problems.push(`${describe(tracker)}: ${paid.length} successful attempts`);
      continue;
    }
    if (attemptNumberOf(paid[0]) !== tracker.attemptCount) problems.push(`${describe(tracker)}: paid by attempt ${attemptNumberOf(paid[0])}, recorded ${tracker.attemptCount}`);
    const order = facts.orders.find((candidate) => candidate.billingAttemptId === paid[0].id);
    if (!order || cents(order.amount) !== cents(tracker.recoveredAmount ?? "-1")) {
      problems.push(`${describe(tracker)}: recovered ${tracker.recoveredAmount}, order ${order?.amount ?? "missing"}`);
    }
  }
  return check(problems, `every recovered tracker's cycle was charged exactly once, for the amount recovered (${recovered.length} recovered)`);
}

/** At most one payment-update email per tracker within the shop's interval; Shopify sent the emails the app recorded, no more. */
function emailsSpacedOut(facts: DunningFacts): Check {
  const trackers = new Map(facts.trackers.map((tracker) => [tracker.id, tracker]));
  const sentByTracker = new Map<number, Date[]>();
  for (const event of facts.events.filter(({ kind }) => kind === "EMAIL_SENT")) {
    sentByTracker.set(event.trackerId, [...(sentByTracker.get(event.trackerId) ?? []), event.at]);
  }
  const problems: string[] = [];
  for (const [trackerId, sent] of sentByTracker) {
    const tracker = trackers.get(trackerId);
    if (!tracker) continue;
    const hours = facts.emailIntervalHours.get(tracker.shop) ?? DEFAULT_DUNNING_POLICY.paymentUpdateEmailIntervalHours;
    for (let i = 1; i < sent.length; i++) {
      const gap = sent[i].getTime() - sent[i - 1].getTime();
      if (gap < hours * HOUR_MS) problems.push(`${describe(tracker)}: emails at ${utcMinute(sent[i - 1])} and ${utcMinute(sent[i])}, ${(gap / HOUR_MS).toFixed(1)} h apart`);
    }
  }
  // Shopify's side: each payment method got as many emails as the app recorded for trackers of contracts paying with it.
  const methodOf = new Map(facts.contracts.map((contract) => [`${contract.shop} ${contract.id}`, contract.paymentMethodId]));
  const recorded = new Map<string, number>();
  for (const [trackerId, sent] of sentByTracker) {
    const tracker = trackers.get(trackerId);
    const method = tracker ? methodOf.get(`${tracker.shop} ${tracker.contractId}`) : undefined;
    const key = `${tracker?.shop} ${method ?? "?"}`;
    recorded.set(key, (recorded.get(key) ?? 0) + sent.length);
  }
  const received = countBy(facts.emails, (email) => `${email.shop} ${email.paymentMethodId}`);
  for (const key of new Set([...recorded.keys(), ...received.keys()])) {
    if ((recorded.get(key) ?? 0) !== (received.get(key) ?? 0)) {
      problems.push(`payment method ${key.split(" ")[1]}: ${received.get(key) ?? 0} emails in Shopify, ${recorded.get(key) ?? 0} recorded by the app`);
    }
  }
  return check(problems, `no tracker got two payment-update emails within its shop's interval (${facts.emails.length} emails, ${sentByTracker.size} trackers emailed)`);
}

/**
 * After a hard decline (an expired card...) the cycle's next attempt waits for the customer:
 * a card update must come between the decline and that attempt. Seen from Shopify alone.
 */
function hardDeclinesWaitForTheCustomer(facts: DunningFacts): Check {
  const methodOf = new Map(facts.contracts.map((contract) => [`${contract.shop} ${contract.id}`, contract.paymentMethodId]));
  const byCycle = new Map<string, Array<Shopped<AttemptSnapshot>>>();
  for (const attempt of facts.attempts) {
    const key = cycleKey(attempt.shop, attempt.contractId, attempt.cycleIndex);
    byCycle.set(key, [...(byCycle.get(key) ?? []), attempt]);
  }
  const problems: string[] = [];
  let hardDeclines = 0;
  for (const attempts of byCycle.values()) {
    attempts.sort((a, b) => attemptNumberOf(a) - attemptNumberOf(b));
    attempts.forEach((declined, i) => {
      if (declined.state !== "failed" || classifyDecline(declined.errorCode) !== DeclineClass.Hard) return;
      hardDeclines++;
      const next = attempts[i + 1];
      if (!next) return;
      const declinedAt = (declined.completedAt ?? declined.createdAt).getTime();
      const method = methodOf.get(`${declined.shop} ${declined.contractId}`);
      const updated = facts.cardUpdates.some(
        (update) =>
          update.shop === declined.shop &&
          update.paymentMethodId === method &&
          update.at.getTime() >= declinedAt &&
          update.at.getTime() <= next.createdAt.getTime(),
      );
      if (!updated) {
        problems.push(
          `${declined.contractId.split("/").pop()} cycle ${declined.cycleIndex}: attempt ${attemptNumberOf(next)} at ${utcMinute(next.createdAt)} ` +
            `after ${declined.errorCode} at ${utcMinute(new Date(declinedAt))}, with no card update between`,
        );
      }
    });
  }
  return check(problems, `no hard decline was retried before the customer updated the card (${hardDeclines} hard declines, ${facts.cardUpdates.length} card updates)`);
}

/** Nothing is stuck: every open tracker has its next step scheduled (not overdue) or waits for the customer. */
function openTrackersHaveANextStep(facts: DunningFacts, lastCall: Date): Check {
  const overdue = (at: Date | null) => at !== null && at.getTime() <= lastCall.getTime() - OVERDUE_AFTER_MS;
  const open = facts.trackers.filter(isOpen);
  const problems: string[] = [];
  for (const tracker of open) {
    if (tracker.status === TrackerStatus.Open && (!tracker.nextAction || !tracker.nextActionAt)) problems.push(`${describe(tracker)}: no next action`);
    if (tracker.status === TrackerStatus.WaitingForPaymentMethod && (tracker.nextAction !== "FINAL_ACTION" || !tracker.nextActionAt)) {
      problems.push(`${describe(tracker)}: waits for the customer without a deadline`);
    }
    if (overdue(tracker.nextActionAt)) problems.push(`${describe(tracker)}: ${tracker.nextAction} was due at ${utcMinute(tracker.nextActionAt!)}`);
    if (overdue(tracker.emailDueAt)) problems.push(`${describe(tracker)}: an email was due at ${utcMinute(tracker.emailDueAt!)}`);
  }
  return check(problems, `every tracker still open has its next step scheduled or waits for the customer (${open.length} open)`);
}

/** Every cycle Shopify failed (or challenged) has a tracker: no failed payment was left alone. */
function failedCyclesFollowedUp(facts: DunningFacts): Check {
  const tracked = new Set(facts.trackers.map((tracker) => cycleKey(tracker.shop, tracker.contractId, tracker.billingCycleIndex)));
  const failed = new Set(
    facts.attempts
      .filter(({ state }) => state === "failed" || state === "action_required")
      .map((attempt) => cycleKey(attempt.shop, attempt.contractId, attempt.cycleIndex)),
  );
  const untracked = [...failed].filter((key) => !tracked.has(key)).map((key) => key.split(" ").slice(1).join(" ").replace(/^gid:\/\/shopify\/\w+\//, ""));
  return check(untracked, `every failed billing cycle has a dunning tracker (${failed.size} cycles failed)`);
}
