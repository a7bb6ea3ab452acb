/**
 * The demo's scheduler: moves the simulated clock an hour at a time and calls the billing
 * endpoint at each step as a cron job would, except during an outage, when nobody calls.
 * Customers who were asked for a new card update it at their scripted time, outage or not.
 */
import type { BillingRunSummary } from "../app/cron/billing-run.server";
import type { FinalAction } from "../app/dunning/policy";
import type { StoreSimulator } from "../simulator/store-simulator";
import type { CardUpdate } from "./shops";

const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** A step whose shops stay due (Shopify unavailable, say) is left to the next hour after this many calls. */
const CALLS_PER_STEP = 5;

/** What the endpoint answered during one simulated day. */
export interface SchedulerDay {
  index: number;
  from: Date;
  calls: number;
  /** Shop runs finished, and those ending in a terminal Shopify answer. */
  shopRuns: number;
  shopRunsFailed: number;
  deferred: number;
  sent: number;
  rejected: number;
  caughtUpDates: number;
  /** Hours of the day without scheduler calls. */
  hoursDown: number;
  /** Dunning, from the endpoint's `dunning` answers: retries sent, payment-update emails sent and held back, final actions applied. */
  retriesSent: number;
  emailsSent: number;
  emailsSuppressed: number;
  finalActions: Record<FinalAction, number>;
  /** Customers who updated their card that day. */
  cardsUpdated: number;
}

export interface SchedulerOptions {
  simulator: StoreSimulator;
  appUrl: string;
  cronSecret: string;
  start: Date;
  days: number;
  /** Steps in [from, to) make no calls. */
  outage?: { from: Date; to: Date };
  /** Card updates to make once the simulated clock reaches them. */
  cardUpdates?: CardUpdate[];
  /** Called once the day's last step has settled (its webhooks delivered). */
  onDayEnd(day: SchedulerDay): void | Promise<void>;
}

export async function callBillingEndpoint(appUrl: string, cronSecret: string, now: Date): Promise<BillingRunSummary> {
  const response = await fetch(`${appUrl}/api/billing/run`, {
    method: "POST",
    headers: { Authorization: `Bearer ${cronSecret}`, "Content-Type": "application/json" },
    body: JSON.stringify({ now: now.toISOString() }),
  });
  if (response.status !== 200) throw new Error(`POST /api/billing/run answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as BillingRunSummary;
}

/** An outage of `hours` centred on the span, or none when the span is too short to show one. */
export function outageInTheMiddle(start: Date, days: number, hours = 36): SchedulerOptions["outage"] {
  if (days < 3) return undefined;
  const from = start.getTime() + Math.round(days * 12 - hours / 2) * HOUR_MS;
  return { from: new Date(from), to: new Date(from + hours * HOUR_MS) };
}

/** The scheduler's calls, and the card updates it made, each at the simulated time it made it. */
export async function runScheduler(options: SchedulerOptions): Promise<{ calls: number; cardUpdates: CardUpdate[] }> {
  const { simulator, start, outage } = options;
  let calls = 0;
  let day = emptyDay(0, start);
  const pendingUpdates = [...(options.cardUpdates ?? [])].sort((a, b) => a.at.getTime() - b.at.getTime());
  const madeUpdates: CardUpdate[] = [];
  for (let step = 0; step < options.days * 24; step++) {
    const now = new Date(start.getTime() + step * HOUR_MS);
    simulator.clock.set(now);
    // The customer updates the card: Shopify sends customer_payment_methods/update, which the app gets before the next call.
    while (pendingUpdates.length > 0 && pendingUpdates[0].at <= now) {
      const update = pendingUpdates.shift()!;
      simulator.updatePaymentMethod(update.shop, update.paymentMethodId, { defaultOutcome: "success" });
      madeUpdates.push({ ...update, at: now });
      day.cardsUpdated++;
      await simulator.waitForIdle();
    }
    if (outage && now >= outage.from && now < outage.to) {
      day.hoursDown++;
    } else {
      for (let call = 1; call <= CALLS_PER_STEP; call++) {
        const answer = await callBillingEndpoint(options.appUrl, options.cronSecret, now);
        calls++;
        addAnswer(day, answer);
        if (answer.remainingShops === 0 && answer.dunning.remaining === 0) break;
      }
    }
    // Outcomes complete asynchronously; let their webhooks reach the app before time moves on.
    await simulator.waitForIdle();
    if ((step + 1) % 24 === 0) {
      await options.onDayEnd(day);
      day = emptyDay(day.index + 1, new Date(start.getTime() + (step + 1) * HOUR_MS));
    }
  }
  return { calls, cardUpdates: madeUpdates };
}

function emptyDay(index: number, from: Date): SchedulerDay {
  return {
    index,
    from,
    calls: 0,
    shopRuns: 0,
    shopRunsFailed: 0,
    deferred: 0,
    sent: 0,
    rejected: 0,
    caughtUpDates: 0,
    hoursDown: 0,
    retriesSent: 0,
    emailsSent: 0,
    emailsSuppressed: 0,
    finalActions: { SKIP: 0, PAUSE: 0, CANCEL: 0 },
    cardsUpdated: 0,
  };
}

function addAnswer(day: SchedulerDay, answer: BillingRunSummary): void {
  day.calls++;
  day.shopRuns += answer.shops.finished;
  day.shopRunsFailed += answer.shops.failed;
  day.deferred += answer.shops.deferred;
  day.sent += answer.attempts.sent;
  day.rejected += answer.attempts.rejected;
  day.caughtUpDates += answer.shops.caughtUpDates;
  day.retriesSent += answer.dunning.retriesSent;
  day.emailsSent += answer.dunning.emailsSent;
  day.emailsSuppressed += answer.dunning.emailsSuppressed;
  for (const [action, count] of Object.entries(answer.dunning.finalActions) as Array<[FinalAction, number]>) day.finalActions[action] += count;
}
