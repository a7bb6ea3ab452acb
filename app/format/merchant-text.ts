import type { MerchantFormat } from "./merchant-format";

// Stored sentences (a tracker's history, why it closed) were written when they happened, for
// any reader: they may name an error code ("insufficient_funds"), an enum ("PAUSE"), an
// instant in UTC or a Shopify GID. Before a merchant reads one, those become words, the
// shop's time, and the numbers merchants know.

const ISO_INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z\b/g;
const GID = /\s?\bgid:\/\/shopify\/([A-Za-z]+)\/([\w-]+)/g;
const SNAKE_CASE = /\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b/g;
/** Single-word enums the app's sentences may name. */
const ENUM_WORDS = /\b(PAUSE|SKIP|CANCEL|THROTTLED|ACTIVE|PAUSED|CANCELLED|EXPIRED|FAILED|SUCCEEDED|REJECTED|PENDING|PROCESSING|RECOVERED|EXHAUSTED|ABANDONED|STOPPED|OPEN)\b/g;

const NUMBERED: Record<string, string> = { SubscriptionContract: "#", Order: "order ", Customer: "customer " };

/** `text` as a merchant should read it, with instants in the shop's time and the merchant's locale. */
export function merchantText(text: string, format: MerchantFormat): string {
  return text
    .replace(ISO_INSTANT, (instant) => format.dateTime(new Date(instant)))
    .replace(GID, (whole, type: string, id: string) => {
      const prefix = NUMBERED[type];
      // A payment method's id means nothing to a merchant: the sentence reads without it.
      return prefix ? `${whole.startsWith(" ") ? " " : ""}${prefix}${id}` : "";
    })
    .replace(SNAKE_CASE, (code) => code.toLowerCase().replaceAll("_", " "))
    .replace(ENUM_WORDS, (word) => word.toLowerCase());
}
