import { DeclineClass } from "./decline-classes";
import { CURVE_DAYS, delayBucketOf, type CardUpdateCurve, type ClassRetryOutcomes } from "./recovery-history";

// The chance that a retry recovers a payment, or that a customer updates their card on a
// given day, for the what-if: from the shop's own history where it has enough cases, else
// from the installation's anonymous aggregate (other shops' counts), else from the app's
// default assumptions (below, and in docs/dunning.md). Each chance says where it came from
// and how many cases back it. Pure.

/** Cases a measured chance needs before it is used (fewer: the next source is asked). */
export const MIN_CASES = 20;
/** Shops the installation's aggregate must come from before it is used (fewer could let a merchant work out another shop's counts). */
export const MIN_INSTALLATION_SHOPS = 3;

/**
 * The app's assumptions where no history says better: the chance that the nth retry of a
 * temporary decline (or out-of-stock failure) succeeds, the earlier ones having failed; the
 * last value holds for later retries. Deliberately modest: four retries recover about 39 %
 * of temporary declines, two about 44 % of out-of-stock failures.
 */
export const DEFAULT_RETRY_CHANCES: Record<RetriedClass, readonly number[]> = {
  [DeclineClass.Soft]: [0.2, 0.12, 0.08, 0.06, 0.05, 0.04, 0.03],
  [DeclineClass.Inventory]: [0.3, 0.2, 0.1, 0.05],
};

/**
 * The chance that a customer whose card needs updating does it (and the retry then passes)
 * on day d after the failure, if they had not before: most do it at once or in the first
 * days after the email. About 26 % within 16 days.
 */
export function defaultCardUpdateChance(day: number): number {
  if (day === 0) return 0.08;
  if (day === 1) return 0.04;
  if (day < 7) return 0.02;
  if (day < 30) return 0.008;
  return 0.003;
}

/** Without the payment-update email, customers learn of the problem later or not at all: an assumption, the app cannot measure it. */
export const CARD_UPDATE_FACTOR_WITHOUT_EMAILS = 0.5;

export type RetriedClass = typeof DeclineClass.Soft | typeof DeclineClass.Inventory;

export type OddsSource = "shop" | "installation" | "default";

/** The odds the what-if asks, from the shop's history and (when it may be used) the installation's. */
export interface RecoveryOdds {
  shop: { retries: ClassRetryOutcomes[]; cardUpdates: CardUpdateCurve };
  /** null: fewer than MIN_INSTALLATION_SHOPS shops, or not read. */
  installation: { shops: number; retries: ClassRetryOutcomes[]; cardUpdates: CardUpdateCurve } | null;
}

export interface Chance {
  chance: number;
  source: OddsSource;
  /** The cases behind it (0 for a default). */
  cases: number;
  /** What it is the chance of, to count a source's cases once: "SOFT|2|3", "card". */
  key: string;
}

/** The chance that retry `retryNumber`, sent `days` after the failure, recovers a payment of `declineClass`. */
export function retryChance(odds: RecoveryOdds, declineClass: RetriedClass, retryNumber: number, days: number): Chance {
  const delayBucket = delayBucketOf(days);
  const key = `${declineClass}|${retryNumber}|${delayBucket}`;
  const measured = (cells: ClassRetryOutcomes[] | undefined) =>
    cells?.find((cell) => cell.declineClass === declineClass && cell.retryNumber === retryNumber && cell.delayBucket === delayBucket);
  const own = measured(odds.shop.retries);
  if (own && own.attempts >= MIN_CASES) return { chance: own.recovered / own.attempts, source: "shop", cases: own.attempts, key };
  const others = measured(odds.installation?.retries);
  if (others && others.attempts >= MIN_CASES) return { chance: others.recovered / others.attempts, source: "installation", cases: others.attempts, key };
  const defaults = DEFAULT_RETRY_CHANCES[declineClass];
  return { chance: defaults[Math.min(retryNumber, defaults.length) - 1], source: "default", cases: 0, key };
}

/**
 * The chance that a payment waiting for a new card is paid on day `day` after the failure
 * (if it was not before). `cases` is how many payments waited in the source's history.
 */
export function cardUpdateChance(odds: RecoveryOdds, day: number): Chance {
  const key = "card";
  const measured = (curve: CardUpdateCurve | undefined) =>
    curve && day < CURVE_DAYS && curve.waiting[day] >= MIN_CASES ? { chance: curve.recovered[day] / curve.waiting[day], cases: curve.waiting[0] } : null;
  const own = measured(odds.shop.cardUpdates);
  if (own) return { ...own, source: "shop", key };
  const others = measured(odds.installation?.cardUpdates);
  if (others) return { ...others, source: "installation", key };
  return { chance: defaultCardUpdateChance(day), source: "default", cases: 0, key };
}
