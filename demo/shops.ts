/**
 * The demo's merchants and their subscribers: a few shops around the date line and a few
 * hundred contracts, drawn from a fixed seed so every run shows the same month. Most cards
 * pay; a scripted cast of customers walks each dunning path (paid on a retry, never paid,
 * a card that expired and was or was not replaced, out of stock, 3-D Secure, a shop's
 * gateway that refuses a payment method), and a few random ones fail once and recover.
 */
import type { FinalAction } from "../app/dunning/policy";
import type { BillingAttemptErrorCode, CreateContractInput, PaymentOutcome, StoreSimulator } from "../simulator/store-simulator";

type Interval = "WEEK" | "MONTH";
type CardBehaviour = Pick<CreateContractInput, "paymentMethodOutcomes" | "defaultOutcome">;

/** A scripted customer: when their first charge is due and what their card does. */
export interface CustomerStory {
  story: string;
  card: CardBehaviour;
  /** The customer updates their card (to one that pays) this many days after the first charge was due. */
  updatesCardAfterDays?: number;
}

interface CastMember {
  story: CustomerStory;
  interval: Interval;
  /** The first charge is due on this day of the demo (0: the first day), at a seeded minute. */
  day: number;
}

export interface DemoShop {
  domain: string;
  name: string;
  ianaTimezone: string;
  currencyCode: string;
  contracts: number;
  /** The dunning policy's final action once payment retries run out (saved for the shop); the default otherwise. */
  finalAction?: FinalAction;
  /** The shop's first contracts; the others are drawn at random. */
  cast: CastMember[];
}

const fails = (error: BillingAttemptErrorCode, times: number): PaymentOutcome[] => Array.from({ length: times }, () => ({ error }));

const STORIES = {
  paidOnRetry1: { story: "soft decline, paid on retry 1", card: { paymentMethodOutcomes: [...fails("INSUFFICIENT_FUNDS", 1), "success"] } },
  paidOnRetry2: { story: "soft declines, paid on retry 2", card: { paymentMethodOutcomes: [...fails("CARD_DECLINED", 2), "success"] } },
  neverPays: { story: "soft declines until the retries run out", card: { defaultOutcome: { error: "INSUFFICIENT_FUNDS" } } },
  neverPaysWeekly: { story: "soft declines every week until the retries run out", card: { defaultOutcome: { error: "DO_NOT_HONOR" } } },
  cardReplaced: (days: number): CustomerStory => ({
    story: `expired card, updated ${days} days later`,
    card: { defaultOutcome: { error: "EXPIRED_CARD" } },
    updatesCardAfterDays: days,
  }),
  cardNeverReplaced: { story: "expired card, never updated", card: { defaultOutcome: { error: "EXPIRED_CARD" } } },
  fraudSuspected: { story: "card flagged for fraud, never replaced", card: { defaultOutcome: { error: "FRAUD_SUSPECTED" } } },
  outOfStockOnce: { story: "out of stock, back in stock for the retry", card: { paymentMethodOutcomes: [...fails("INSUFFICIENT_INVENTORY", 1), "success"] } },
  outOfStock: { story: "out of stock until the inventory retries run out", card: { paymentMethodOutcomes: fails("INSUFFICIENT_INVENTORY", 3) } },
  threeDSecure: { story: "the bank asks for 3-D Secure", card: { paymentMethodOutcomes: ["action_required"] } },
  gatewayRefuses: {
    story: "the shop's gateway refuses the payment method",
    card: { paymentMethodOutcomes: fails("PAYMENT_METHOD_INCOMPATIBLE_WITH_GATEWAY_CONFIG", 1) },
  },
} satisfies Record<string, CustomerStory | ((days: number) => CustomerStory)>;

const cast = (story: CustomerStory, interval: Interval, day: number): CastMember => ({ story, interval, day });

export const DEMO_SHOPS: DemoShop[] = [
  {
    domain: "kiwi-socks.myshopify.com",
    name: "Kiwi Socks",
    ianaTimezone: "Pacific/Auckland",
    currencyCode: "NZD",
    contracts: 90,
    cast: [
      cast(STORIES.paidOnRetry1, "MONTH", 0),
      cast(STORIES.paidOnRetry2, "WEEK", 1),
      cast(STORIES.cardReplaced(4), "MONTH", 1),
      cast(STORIES.outOfStockOnce, "WEEK", 2),
      cast(STORIES.neverPays, "MONTH", 2),
      // Its later weeks fail too; pausing the contract for the first closes their trackers (abandoned).
      cast(STORIES.neverPaysWeekly, "WEEK", 3),
      cast(STORIES.cardNeverReplaced, "MONTH", 4),
      cast(STORIES.gatewayRefuses, "WEEK", 5),
    ],
  },
  {
    domain: "thames-tea.myshopify.com",
    name: "Thames Tea",
    ianaTimezone: "Europe/London",
    currencyCode: "GBP",
    contracts: 80,
    finalAction: "CANCEL",
    cast: [
      cast(STORIES.threeDSecure, "WEEK", 1),
      cast(STORIES.paidOnRetry1, "WEEK", 1),
      cast(STORIES.cardReplaced(3), "WEEK", 2),
      cast(STORIES.neverPays, "MONTH", 3),
      cast(STORIES.outOfStock, "MONTH", 4),
      cast(STORIES.fraudSuspected, "MONTH", 5),
      cast(STORIES.paidOnRetry2, "MONTH", 6),
    ],
  },
  {
    domain: "venice-coffee.myshopify.com",
    name: "Venice Coffee",
    ianaTimezone: "America/Los_Angeles",
    currencyCode: "USD",
    contracts: 70,
    finalAction: "SKIP",
    cast: [
      cast(STORIES.paidOnRetry2, "MONTH", 0),
      cast(STORIES.outOfStockOnce, "WEEK", 1),
      cast(STORIES.neverPays, "MONTH", 2),
      cast(STORIES.cardReplaced(5), "MONTH", 3),
      cast(STORIES.outOfStock, "MONTH", 5),
      cast(STORIES.cardNeverReplaced, "MONTH", 6),
    ],
  },
  {
    domain: "line-islands-surf.myshopify.com",
    name: "Line Islands Surf",
    ianaTimezone: "Pacific/Kiritimati",
    currencyCode: "AUD",
    contracts: 40,
    cast: [
      cast(STORIES.cardReplaced(2), "WEEK", 0),
      cast(STORIES.paidOnRetry1, "MONTH", 2),
      cast(STORIES.neverPays, "MONTH", 8),
      // Late in the month: still open when the demo ends.
      cast(STORIES.cardNeverReplaced, "MONTH", 20),
      cast(STORIES.neverPays, "MONTH", 24),
    ],
  },
];

export const DEMO_SEED = 20261124;
const PRICES = ["9.00", "12.50", "14.99", "19.99", "24.00", "29.00", "35.00", "49.95"];
const DAY_MS = 86_400_000;

/** mulberry32: a tiny seeded generator, enough to make the demo reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The rest of the subscribers: most cards pay; a few fail once (at the first or a later charge) and pay on a retry. */
function drawCard(random: () => number): CardBehaviour {
  const roll = random();
  if (roll < 0.05) return { paymentMethodOutcomes: [...fails("INSUFFICIENT_FUNDS", 1), "success"] };
  if (roll < 0.075) return { paymentMethodOutcomes: ["success", ...fails("CARD_DECLINED", 1), "success"] };
  if (roll < 0.085) return { paymentMethodOutcomes: [...fails("TRANSACTION_LIMIT_EXCEEDED", 2), "success"] };
  return {};
}

/** A customer's card update the demo's scheduler makes at a simulated time (customer_payment_methods/update). */
export interface CardUpdate {
  shop: string;
  contractId: string;
  paymentMethodId: string;
  at: Date;
}

export interface CreatedContracts {
  total: number;
  weekly: number;
  monthly: number;
  failingCards: number;
  /** Scripted customers (the cast), of the failing cards. */
  scripted: number;
  cardUpdates: CardUpdate[];
}

/**
 * Existing subscribers: weekly ones next billed within the coming week, monthly ones within
 * the coming month, at any minute of the day; the cast on their scripted day.
 */
export function createDemoContracts(simulator: StoreSimulator, start: Date, seed = DEMO_SEED): CreatedContracts {
  const random = seededRandom(seed);
  const created: CreatedContracts = { total: 0, weekly: 0, monthly: 0, failingCards: 0, scripted: 0, cardUpdates: [] };
  for (const shop of DEMO_SHOPS) {
    for (let index = 0; index < shop.contracts; index++) {
      // Every contract draws the same numbers, so the cast does not reshuffle the others.
      const [intervalRoll, minuteRoll, priceRoll] = [random(), random(), random()];
      const drawn = drawCard(random);
      const member = shop.cast[index];
      const interval: Interval = member?.interval ?? (intervalRoll < 0.55 ? "WEEK" : "MONTH");
      const nextBillingDate = member
        ? new Date(start.getTime() + member.day * DAY_MS + Math.floor(minuteRoll * 1439) * 60_000 + 60_000)
        : new Date(start.getTime() + Math.floor(minuteRoll * (interval === "WEEK" ? 7 : 30) * 1440) * 60_000 + 60_000);
      const card = member?.story.card ?? drawn;
      const { contractId, paymentMethodId } = simulator.createContract(shop.domain, {
        interval,
        nextBillingDate,
        amount: PRICES[Math.floor(priceRoll * PRICES.length)],
        lineTitle: `${shop.name} ${interval === "WEEK" ? "weekly" : "monthly"} box`,
        ...card,
      });
      const updateAfter = member?.story.updatesCardAfterDays;
      if (updateAfter !== undefined && paymentMethodId) {
        created.cardUpdates.push({ shop: shop.domain, contractId, paymentMethodId, at: new Date(nextBillingDate.getTime() + updateAfter * DAY_MS) });
      }
      created.total++;
      created[interval === "WEEK" ? "weekly" : "monthly"]++;
      if (card.paymentMethodOutcomes || card.defaultOutcome) created.failingCards++;
      if (member) created.scripted++;
    }
  }
  return created;
}
