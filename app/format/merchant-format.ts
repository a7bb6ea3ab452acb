// How the admin shows times, dates, money and numbers to a merchant: in the shop's time zone,
// in the merchant's language and conventions (their locale), with the year only when it is
// not this year in the shop. Pure; the Intl formatters are built once per locale and zone,
// since building them costs far more than using them.

export interface MerchantFormatContext {
  /** BCP 47 tag of the merchant's language (Shopify admin's `locale`, else the browser's). */
  locale: string;
  /** The shop's IANA time zone. */
  timeZone: string;
  /** Decides which dates need their year. */
  now: Date;
}

const FALLBACK_LOCALE = "en-US";
const formatterCache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
/** Enough for every locale, zone and currency an installation serves; a bound against unbounded input. */
const MAX_CACHED_FORMATTERS = 2_000;

function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, build: () => T): T {
  let formatter = formatterCache.get(key) as T | undefined;
  if (!formatter) {
    if (formatterCache.size >= MAX_CACHED_FORMATTERS) formatterCache.clear();
    formatter = build();
    formatterCache.set(key, formatter);
  }
  return formatter;
}

/** A locale Intl supports, closest to what the merchant asked for; en-US otherwise. */
export function supportedLocale(requested: string | null | undefined): string {
  if (!requested) return FALLBACK_LOCALE;
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([requested])[0] ?? FALLBACK_LOCALE;
  } catch {
    return FALLBACK_LOCALE;
  }
}

// Zones whose short name in the merchant's language is only an offset ("GMT+13") read
// better with the abbreviation people use there: these locales know it.
const ABBREVIATION_LOCALES = ["en-US", "en-NZ", "en-AU", "en-GB", "en-IN", "en-ZA", "en-CA", "en-SG", "en-IE"];

export class MerchantFormat {
  readonly locale: string;
  readonly timeZone: string;
  private readonly currentYear: string;
  private readonly now: Date;

  constructor(context: MerchantFormatContext) {
    this.locale = supportedLocale(context.locale);
    this.timeZone = context.timeZone;
    this.now = context.now;
    this.currentYear = this.yearOf(context.now);
  }

  /** "Tue, Dec 29, 09:00 NZDT"; "Tue, Jan 5, 2027, 09:00 NZDT" when not this year in the shop. */
  dateTime(instant: Date): string {
    const withYear = this.yearOf(instant) !== this.currentYear;
    const parts = this.dateTimeFormat(withYear).formatToParts(instant);
    return parts.map((part) => (part.type === "timeZoneName" ? this.zoneName(instant, part.value) : part.value)).join("");
  }

  /** "Dec 29"; "Jan 5, 2027" when not this year in the shop. */
  date(instant: Date): string {
    const withYear = this.yearOf(instant) !== this.currentYear;
    const key = `date|${this.locale}|${this.timeZone}|${withYear}`;
    return cached(key, () => new Intl.DateTimeFormat(this.locale, { timeZone: this.timeZone, month: "short", day: "numeric", ...(withYear ? { year: "numeric" } : {}) })).format(instant);
  }

  /** A calendar date of the shop ("2026-12-28", as billing runs are dated): "Mon, Dec 28". */
  localDate(isoDate: string): string {
    const [year, month, day] = isoDate.split("-").map(Number);
    // Noon UTC of that date formatted in UTC is that date, whatever the shop's zone.
    const instant = new Date(Date.UTC(year, month - 1, day, 12));
    const withYear = String(year) !== this.currentYear;
    const key = `local-date|${this.locale}|${withYear}`;
    return cached(key, () => new Intl.DateTimeFormat(this.locale, { timeZone: "UTC", weekday: "short", month: "short", day: "numeric", ...(withYear ? { year: "numeric" } : {}) })).format(instant);
  }

  /** The shop's local hour, "09:00" or "9:00 AM" as the merchant's locale writes it. */
  hour(hour: number): string {
    const instant = new Date(Date.UTC(2026, 0, 1, hour));
    return cached(`hour|${this.locale}`, () => new Intl.DateTimeFormat(this.locale, { timeZone: "UTC", hour: this.hourStyle(), minute: "2-digit" })).format(instant);
  }

  /**
   * An amount as Shopify gives it (a decimal string) in its currency, for the merchant's
   * locale: "$12.50", "12,50 €". Exact: the string is formatted, never a float.
   */
  money(amount: string, currencyCode: string | null): string {
    if (!currencyCode) return this.number(amount);
    try {
      const format = cached(`money|${this.locale}|${currencyCode}`, () => new Intl.NumberFormat(this.locale, { style: "currency", currency: currencyCode }));
      return format.format(amount as unknown as number);
    } catch {
      return `${this.number(amount)} ${currencyCode}`;
    }
  }

  /** An estimated amount, to the whole unit of its currency: "$1,240", "1 240 €" (the sentence says it is an estimate). */
  wholeMoney(amount: string, currencyCode: string | null): string {
    const whole = { minimumFractionDigits: 0, maximumFractionDigits: 0 };
    if (!currencyCode) return cached(`whole|${this.locale}`, () => new Intl.NumberFormat(this.locale, whole)).format(amount as unknown as number);
    try {
      const format = cached(`whole-money|${this.locale}|${currencyCode}`, () => new Intl.NumberFormat(this.locale, { style: "currency", currency: currencyCode, ...whole }));
      return format.format(amount as unknown as number);
    } catch {
      return `${this.number(Math.round(Number(amount)))} ${currencyCode}`;
    }
  }

  number(value: number | string): string {
    return cached(`number|${this.locale}`, () => new Intl.NumberFormat(this.locale, { maximumFractionDigits: 2 })).format(value as number);
  }

  /** 0.732 -> "73.2%" ("73,2 %" in French). */
  percent(ratio: number): string {
    return cached(`percent|${this.locale}`, () => new Intl.NumberFormat(this.locale, { style: "percent", maximumFractionDigits: 1 })).format(ratio);
  }

  /** The shop's zone as people name it, in the merchant's language: "New Zealand Time", "heure de la Nouvelle-Zélande". */
  timeZoneName(): string {
    const name = cached(`zone-name|${this.locale}|${this.timeZone}`, () => new Intl.DateTimeFormat(this.locale, { timeZone: this.timeZone, timeZoneName: "longGeneric" }))
      // Today's name: zones whose rules changed name their past differently.
      .formatToParts(this.now)
      .find((part) => part.type === "timeZoneName")?.value;
    // Zones without a name of their own (UTC, Etc/GMT+12) read better as their IANA name.
    return name && !/^(GMT|UTC)([+−-]|$)/.test(name) ? name : this.timeZone;
  }

  /** "9:00 AM" where clocks run to 12, "09:00" where they run to 24. */
  private hourStyle(): "numeric" | "2-digit" {
    const { hourCycle } = cached(`hour-cycle|${this.locale}`, () => new Intl.DateTimeFormat(this.locale, { hour: "numeric" })).resolvedOptions();
    return hourCycle === "h12" || hourCycle === "h11" ? "numeric" : "2-digit";
  }

  private yearOf(instant: Date): string {
    return cached(`year|${this.timeZone}`, () => new Intl.DateTimeFormat("en-US", { timeZone: this.timeZone, year: "numeric" })).format(instant);
  }

  private dateTimeFormat(withYear: boolean): Intl.DateTimeFormat {
    return cached(`date-time|${this.locale}|${this.timeZone}|${withYear}`, () =>
      new Intl.DateTimeFormat(this.locale, {
        timeZone: this.timeZone,
        weekday: "short",
        month: "short",
        day: "numeric",
        ...(withYear ? { year: "numeric" } : {}),
        hour: this.hourStyle(),
        minute: "2-digit",
        timeZoneName: "short",
      }),
    );
  }

  /** The locale's own zone name, unless it is only an offset and an abbreviation exists ("NZDT"). */
  private zoneName(instant: Date, localName: string): string {
    if (!/^(GMT|UTC)[+−-]/.test(localName)) return localName;
    for (const locale of ABBREVIATION_LOCALES) {
      const name = cached(`zone|${locale}|${this.timeZone}`, () => new Intl.DateTimeFormat(locale, { timeZone: this.timeZone, timeZoneName: "short" }))
        .formatToParts(instant)
        .find((part) => part.type === "timeZoneName")?.value;
      if (name && !/^(GMT|UTC)[+−-]/.test(name)) return name;
    }
    return localName;
  }
}
