import { scaleDecimal, sumDecimals } from "../lib/decimal";
import { DeclineClass } from "./decline-classes";
import { TrackerStatus } from "./next-step";
import { attemptDays, type DunningPolicy, FinalAction, MAX_ATTEMPTS_IN_30_DAYS, maxAttemptsWithin30Days, remainingScheduleDays, type RetrySchedule } from "./policy";
import { type InstallationHistory, type MoneySum, type RecoveryHistory, retriesByClass } from "./recovery-history";
import { CARD_UPDATE_FACTOR_WITHOUT_EMAILS, cardUpdateChance, type Chance, MIN_INSTALLATION_SHOPS, type RecoveryOdds, retryChance, type RetriedClass } from "./recovery-odds";

// What a dunning policy would have done with the shop's failed payments of the last 90
// days: expected recoveries and recovered revenue, final actions, emails, attempts per card.
// An estimate from past outcomes (recovery-odds.ts says where each chance comes from), never
// a replay: each payment's chances are followed through the policy's schedule, as
// decideNextStep would follow the payment. Pure: the Settings page runs it in the browser on
// every edit, on the aggregates its loader read once.

/** Failed payments of one decline class in the window (closed without charging left out). */
export interface WhatIfCases {
  declineClass: DeclineClass;
  payments: number;
  /** Their amounts per currency (exact sums), and how many had none known. */
  amounts: MoneySum[];
  withoutAmount: number;
}

/** What the shop's dunning actually did with the window's failed payments. */
export interface ActualOutcomes {
  payments: number;
  recovered: number;
  recoveredAmounts: MoneySum[];
  paused: number;
  cancelled: number;
  skipped: number;
  stopped: number;
  /** Closed without charging (the contract changed elsewhere): not simulated. */
  abandoned: number;
  stillOpen: number;
  emailsSent: number;
  mostAttempts: number;
}

export interface WhatIfInputs {
  windowDays: number;
  cases: WhatIfCases[];
  odds: RecoveryOdds;
  actual: ActualOutcomes;
}

/** Where an estimate's chances came from: cases of each source (each counted once), and how many chances were the app's defaults. */
export interface EstimateBasis {
  shopCases: number;
  installationCases: number;
  defaults: number;
  /** The figure follows from the policy alone (no chance involved). */
  fromSchedule: boolean;
}

export interface Estimate {
  value: number;
  basis: EstimateBasis;
}

export interface WhatIfResult {
  /** Payments the policy decides (temporary declines, cards to update, out of stock). */
  payments: number;
  /** Payments it does not change: 3-D Secure (the customer decides) and shop setup problems (dunning stops). */
  unaffected: number;
  recovered: Estimate;
  /** Expected recovered revenue per currency (decimal strings), with the payments whose amount is not known left out. */
  revenue: { amounts: Array<{ currencyCode: string | null; amount: string }>; withoutAmount: number; basis: EstimateBasis };
  paused: Estimate;
  cancelled: Estimate;
  skipped: Estimate;
  emails: Estimate;
  /** The most attempts the schedules make on one card within any 30 days (the first charge included). */
  mostAttemptsIn30Days: number;
  atCardNetworkLimit: boolean;
}

const FOLLOWED: readonly DeclineClass[] = [DeclineClass.Soft, DeclineClass.Hard, DeclineClass.Inventory];

/** The what-if's inputs from the read model's history: class totals, the odds (the installation's only from enough shops), what happened. */
export function whatIfInputs(history: RecoveryHistory, installation: InstallationHistory | null): WhatIfInputs {
  const cases = new Map<DeclineClass, { payments: number; amounts: MoneySum[]; withoutAmount: number }>();
  const actual: ActualOutcomes = {
    payments: 0,
    recovered: 0,
    recoveredAmounts: [],
    paused: 0,
    cancelled: 0,
    skipped: 0,
    stopped: 0,
    abandoned: 0,
    stillOpen: 0,
    emailsSent: 0,
    mostAttempts: 0,
  };
  const recoveredAmounts: MoneySum[] = [];
  for (const reason of history.reasons) {
    const abandoned = reason.statuses[TrackerStatus.Abandoned] ?? 0;
    const entry = cases.get(reason.declineClass) ?? { payments: 0, amounts: [], withoutAmount: 0 };
    entry.payments += reason.payments - abandoned;
    entry.amounts.push(...reason.amounts);
    entry.withoutAmount += reason.withoutAmount;
    cases.set(reason.declineClass, entry);
    actual.payments += reason.payments;
    actual.recovered += reason.statuses[TrackerStatus.Recovered] ?? 0;
    actual.paused += reason.finalActions[FinalAction.Pause] ?? 0;
    actual.cancelled += reason.finalActions[FinalAction.Cancel] ?? 0;
    actual.skipped += reason.finalActions[FinalAction.Skip] ?? 0;
    actual.stopped += reason.statuses[TrackerStatus.Stopped] ?? 0;
    actual.abandoned += abandoned;
    actual.stillOpen += (reason.statuses[TrackerStatus.Open] ?? 0) + (reason.statuses[TrackerStatus.WaitingForPaymentMethod] ?? 0) + (reason.statuses[TrackerStatus.ActionRequired] ?? 0);
    actual.emailsSent += reason.emailsSent;
    actual.mostAttempts = Math.max(actual.mostAttempts, reason.mostAttempts);
    recoveredAmounts.push(...reason.recoveredAmounts);
  }
  actual.recoveredAmounts = mergeSums(recoveredAmounts);
  return {
    windowDays: history.windowDays,
    cases: [...cases.entries()].map(([declineClass, entry]) => ({ declineClass, payments: entry.payments, amounts: mergeSums(entry.amounts), withoutAmount: entry.withoutAmount })),
    odds: {
      shop: { retries: retriesByClass(history.retries), cardUpdates: history.cardUpdates },
      installation: installation && installation.shops >= MIN_INSTALLATION_SHOPS ? installation : null,
    },
    actual,
  };
}

/** How one class of payments fares under a schedule: expected shares, and the chances used. */
interface ClassOutcome {
  /** Shares of one payment (0..1): recovered, final action applied, and the emails it gets. */
  recovered: number;
  finalAction: number;
  emails: number;
  action: FinalAction;
  chances: Chance[];
}

/** What `policy` would have done with the window's payments, as expected values. */
export function simulatePolicy(inputs: WhatIfInputs, policy: DunningPolicy): WhatIfResult {
  const outcomes = new Map<DeclineClass, { cases: WhatIfCases; outcome: ClassOutcome }>();
  for (const cases of inputs.cases) {
    if (!FOLLOWED.includes(cases.declineClass) || cases.payments <= 0) continue;
    outcomes.set(cases.declineClass, { cases, outcome: classOutcome(inputs.odds, cases.declineClass, policy) });
  }
  const entries = [...outcomes.values()];
  const estimate = (part: (outcome: ClassOutcome) => number, contributes: (outcome: ClassOutcome) => boolean = () => true): Estimate => {
    const counted = entries.filter(({ outcome }) => contributes(outcome));
    return {
      value: counted.reduce((total, { cases, outcome }) => total + cases.payments * part(outcome), 0),
      basis: basisOf(counted.flatMap(({ outcome }) => outcome.chances)),
    };
  };
  const finalOf = (action: FinalAction) => estimate((outcome) => (outcome.action === action ? outcome.finalAction : 0), (outcome) => outcome.action === action && outcome.finalAction > 0);

  const revenueTerms = entries.flatMap(({ cases, outcome }) =>
    cases.amounts.map((sum) => ({ currencyCode: sum.currencyCode, amount: scaleDecimal(sum.total, outcome.recovered) })),
  );
  const byCurrency = new Map<string | null, string[]>();
  for (const term of revenueTerms) if (term.amount !== null) byCurrency.set(term.currencyCode, [...(byCurrency.get(term.currencyCode) ?? []), term.amount]);
  const soft = outcomes.get(DeclineClass.Soft)?.outcome;

  return {
    payments: entries.reduce((total, { cases }) => total + cases.payments, 0),
    unaffected: inputs.cases.filter((cases) => !FOLLOWED.includes(cases.declineClass)).reduce((total, cases) => total + Math.max(0, cases.payments), 0),
    recovered: estimate((outcome) => outcome.recovered),
    revenue: {
      amounts: [...byCurrency.entries()].map(([currencyCode, amounts]) => ({ currencyCode, amount: sumDecimals(amounts.map((amount) => ({ amount }))) as string })),
      withoutAmount: entries.reduce((total, { cases }) => total + cases.withoutAmount, 0),
      basis: basisOf(entries.filter(({ cases }) => cases.amounts.length > 0).flatMap(({ outcome }) => outcome.chances)),
    },
    paused: finalOf(FinalAction.Pause),
    cancelled: finalOf(FinalAction.Cancel),
    skipped: finalOf(FinalAction.Skip),
    // A temporary decline's emails depend on when it is recovered; a card to update gets one, as the schedule says.
    emails: { ...estimate((outcome) => outcome.emails), basis: basisOf(soft && soft.emails > 0 ? soft.chances : []) },
    mostAttemptsIn30Days: Math.max(maxAttemptsWithin30Days(policy.payment), maxAttemptsWithin30Days(policy.inventory)),
    atCardNetworkLimit: Math.max(maxAttemptsWithin30Days(policy.payment), maxAttemptsWithin30Days(policy.inventory)) >= MAX_ATTEMPTS_IN_30_DAYS,
  };
}

function classOutcome(odds: RecoveryOdds, declineClass: DeclineClass, policy: DunningPolicy): ClassOutcome {
  if (declineClass === DeclineClass.Hard) return waitForNewCard(odds, policy);
  const inventory = declineClass === DeclineClass.Inventory;
  return retried(odds, inventory ? DeclineClass.Inventory : DeclineClass.Soft, inventory ? policy.inventory : policy.payment, inventory ? null : policy);
}

/**
 * Retries on `schedule`: retry k succeeds with its chance if every earlier attempt failed;
 * after the last, the final action. A temporary decline's failures that lead to a retry ask
 * for a payment-update email, sent unless one went out within the interval (`emailsFrom`
 * null: out of stock, the customer is not emailed).
 */
function retried(odds: RecoveryOdds, declineClass: RetriedClass, schedule: RetrySchedule, emailsFrom: DunningPolicy | null): ClassOutcome {
  const days = attemptDays(schedule);
  const chances = days.slice(1).map((day, index) => retryChance(odds, declineClass, index + 1, day));
  const sentAt = emailDays(days.slice(0, schedule.retryCount), emailsFrom);
  let stillFailing = 1;
  let recovered = 0;
  let emails = 0;
  for (let failure = 0; failure <= schedule.retryCount; failure++) {
    // `stillFailing`: the chance that attempts 0..failure all failed.
    if (failure < schedule.retryCount && sentAt[failure]) emails += stillFailing;
    if (failure === schedule.retryCount) break;
    const { chance } = chances[failure];
    recovered += stillFailing * chance;
    stillFailing *= 1 - chance;
  }
  return { recovered, finalAction: stillFailing, emails, action: schedule.finalAction, chances };
}

/** Which failures (at these days) get an email: the first, then each one at least the interval after the last sent. */
function emailDays(failureDays: number[], policy: DunningPolicy | null): boolean[] {
  if (!policy?.sendPaymentUpdateEmail) return failureDays.map(() => false);
  let lastSent: number | null = null;
  return failureDays.map((day) => {
    if (lastSent !== null && (day - lastSent) * 24 < policy.paymentUpdateEmailIntervalHours) return false;
    lastSent = day;
    return true;
  });
}

/**
 * A card that needs updating is not retried: the customer is emailed (when emails are on)
 * and the payment is retried when they update the card, for as long as the payment schedule
 * lasts; then the final action. No wait at all: the final action at once, no email.
 */
function waitForNewCard(odds: RecoveryOdds, policy: DunningPolicy): ClassOutcome {
  const waitDays = remainingScheduleDays(policy.payment, 0);
  const factor = policy.sendPaymentUpdateEmail ? 1 : CARD_UPDATE_FACTOR_WITHOUT_EMAILS;
  const chances: Chance[] = [];
  let stillWaiting = 1;
  for (let day = 0; day < waitDays; day++) {
    const chance = cardUpdateChance(odds, day);
    chances.push(chance);
    stillWaiting *= 1 - chance.chance * factor;
  }
  return {
    recovered: 1 - stillWaiting,
    finalAction: stillWaiting,
    emails: waitDays > 0 && policy.sendPaymentUpdateEmail ? 1 : 0,
    action: policy.payment.finalAction,
    chances,
  };
}

function basisOf(chances: Chance[]): EstimateBasis {
  const counted = new Set<string>();
  const basis: EstimateBasis = { shopCases: 0, installationCases: 0, defaults: 0, fromSchedule: chances.length === 0 };
  for (const chance of chances) {
    const id = `${chance.source}|${chance.key}`;
    if (counted.has(id)) continue;
    counted.add(id);
    if (chance.source === "shop") basis.shopCases += chance.cases;
    else if (chance.source === "installation") basis.installationCases += chance.cases;
    else basis.defaults += 1;
  }
  return basis;
}

function mergeSums(sums: MoneySum[]): MoneySum[] {
  const byCurrency = new Map<string | null, MoneySum[]>();
  for (const sum of sums) byCurrency.set(sum.currencyCode, [...(byCurrency.get(sum.currencyCode) ?? []), sum]);
  return [...byCurrency.entries()].map(([currencyCode, ofCurrency]) => ({
    currencyCode,
    total: sumDecimals(ofCurrency.map((sum) => ({ amount: sum.total }))) as string,
    payments: ofCurrency.reduce((total, sum) => total + sum.payments, 0),
  }));
}
