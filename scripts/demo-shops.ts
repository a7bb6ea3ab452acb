/**
 * The demo's merchants and their subscribers: a few shops around the date line and a few
 * hundred contracts, drawn from a fixed seed so every run shows the same month.
 */
import type { CreateContractInput, StoreSimulator } from "../simulator/store-simulator";

export interface DemoShop {
  domain: string;
  name: string;
  ianaTimezone: string;
  currencyCode: string;
  contracts: number;
}

export const DEMO_SHOPS: DemoShop[] = [
  { domain: "kiwi-socks.myshopify.com", name: "Kiwi Socks", ianaTimezone: "Pacific/Auckland", currencyCode: "NZD", contracts: 90 },
  { domain: "thames-tea.myshopify.com", name: "Thames Tea", ianaTimezone: "Europe/London", currencyCode: "GBP", contracts: 80 },
  { domain: "venice-coffee.myshopify.com", name: "Venice Coffee", ianaTimezone: "America/Los_Angeles", currencyCode: "USD", contracts: 70 },
  { domain: "line-islands-surf.myshopify.com", name: "Line Islands Surf", ianaTimezone: "Pacific/Kiritimati", currencyCode: "AUD", contracts: 40 },
];

export const DEMO_SEED = 20261124;
const PRICES = ["9.00", "12.50", "14.99", "19.99", "24.00", "29.00", "35.00", "49.95"];

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

type CardBehaviour = Pick<CreateContractInput, "paymentMethodOutcomes" | "defaultOutcome">;

/** Most cards pay; some fail once (at the first or a later charge), a few fail for good. */
function drawCard(random: () => number): CardBehaviour {
  const roll = random();
  if (roll < 0.08) return { paymentMethodOutcomes: [{ error: "INSUFFICIENT_FUNDS" }] };
  if (roll < 0.11) return { paymentMethodOutcomes: ["success", { error: "CARD_DECLINED" }] };
  if (roll < 0.125) return { defaultOutcome: { error: "EXPIRED_CARD" } };
  if (roll < 0.14) return { defaultOutcome: { error: "FRAUD_SUSPECTED" } };
  return {};
}

export interface CreatedContracts {
  total: number;
  weekly: number;
  monthly: number;
  failingCards: number;
}

/**
 * Existing subscribers: weekly ones next billed within the coming week, monthly ones within
 * the coming month, at any minute of the day. One customer's bank asks for 3-D Secure.
 */
export function createDemoContracts(simulator: StoreSimulator, start: Date, seed = DEMO_SEED): CreatedContracts {
  const random = seededRandom(seed);
  const created: CreatedContracts = { total: 0, weekly: 0, monthly: 0, failingCards: 0 };
  for (const [shopIndex, shop] of DEMO_SHOPS.entries()) {
    for (let index = 0; index < shop.contracts; index++) {
      const interval = random() < 0.55 ? "WEEK" : "MONTH";
      const spreadDays = interval === "WEEK" ? 7 : 30;
      const nextBillingDate = new Date(start.getTime() + Math.floor(random() * spreadDays * 1440) * 60_000 + 60_000);
      const card: CardBehaviour = shopIndex === 1 && index === 0 ? { paymentMethodOutcomes: ["action_required"] } : drawCard(random);
      simulator.createContract(shop.domain, {
        interval,
        nextBillingDate,
        amount: PRICES[Math.floor(random() * PRICES.length)],
        lineTitle: `${shop.name} ${interval === "WEEK" ? "weekly" : "monthly"} box`,
        ...card,
      });
      created.total++;
      created[interval === "WEEK" ? "weekly" : "monthly"]++;
      if (card.paymentMethodOutcomes || card.defaultOutcome) created.failingCards++;
    }
  }
  return created;
}
