import type { DunningTracker } from "../db/client.server";
import { prisma } from "../db/app-database.server";
import { describeLocalTime } from "../time/due-time";
import { shopTimeZone } from "../schedules/schedule.server";
import { CLOSED_TRACKER_STATUSES, NextAction, OPEN_TRACKER_STATUSES, TrackerStatus } from "./next-step";

/**
 * Read models for the admin's dunning pages: what is being followed up, what was recovered,
 * and each tracker's history. Times are described in the shop's time zone (its billing
 * schedule's), as the billing page does.
 */

const OVERVIEW_WINDOW_DAYS = 30;
const OPEN_TRACKERS_SHOWN = 100;
const CLOSED_TRACKERS_SHOWN = 50;
const NOTIFICATIONS_SHOWN = 20;

export type StatusTone = "info" | "attention" | "warning" | "success" | "critical" | undefined;

export const TRACKER_STATUS_LABELS: Record<string, { label: string; tone: StatusTone }> = {
  [TrackerStatus.Open]: { label: "Retrying", tone: "info" },
  [TrackerStatus.WaitingForPaymentMethod]: { label: "Waiting for payment method", tone: "attention" },
  [TrackerStatus.ActionRequired]: { label: "Needs 3-D Secure", tone: "warning" },
  [TrackerStatus.Recovered]: { label: "Recovered", tone: "success" },
  [TrackerStatus.Exhausted]: { label: "Retries exhausted", tone: "critical" },
  [TrackerStatus.Abandoned]: { label: "Abandoned", tone: undefined },
  [TrackerStatus.Stopped]: { label: "Stopped", tone: "critical" },
};

export interface TrackerRow {
  id: number;
  contractId: string;
  /** The contract's numeric id ("gid://shopify/SubscriptionContract/42" -> "42"). */
  contractNumber: string;
  billingCycleIndex: number;
  status: string;
  statusLabel: string;
  statusTone: StatusTone;
  attemptCount: number;
  lastErrorCode: string | null;
  lastErrorClass: string | null;
  lastErrorMessage: string | null;
  nextAction: string | null;
  /** ISO instants; the `*Local` fields describe them in the shop's time zone. */
  nextActionAt: string | null;
  nextActionAtLocal: string | null;
  /** What dunning does next, in words ("Retry at Tue, Nov 24, 09:00 NZDT"); null once closed. */
  nextStep: string | null;
  finalAction: string | null;
  amount: string | null;
  currencyCode: string | null;
  /** The cycle's price for display ("$12.50"), or null when it is not known. */
  amountDisplay: string | null;
  openedAt: string;
  openedAtLocal: string;
  completedAt: string | null;
  completedAtLocal: string | null;
  completedReason: string | null;
}

export interface NotificationView {
  id: number;
  kind: string;
  trackerId: number | null;
  contractId: string | null;
  message: string;
  createdAt: string;
  createdAtLocal: string;
}

export interface RecoveredAmount {
  /** null when recovered trackers did not record their currency. */
  currencyCode: string | null;
  /** Exact decimal sum, e.g. "37.50". */
  amount: string;
  display: string;
}

export interface DunningOverview {
  timezone: string;
  windowDays: number;
  openCounts: Record<string, number>;
  openTotal: number;
  closedCounts: Record<string, number>;
  closedTotal: number;
  /** recovered / (recovered + exhausted + stopped) over the window; null when none of those closed. */
  recoveryRate: number | null;
  recoveredAmounts: RecoveredAmount[];
  openTrackers: TrackerRow[];
  closedTrackers: TrackerRow[];
  notifications: NotificationView[];
}

export async function getDunningOverview(shop: string, now: Date): Promise<DunningOverview> {
  const since = new Date(now.getTime() - OVERVIEW_WINDOW_DAYS * 24 * 3600_000);
  const closedWhere = { shop, status: { in: [...CLOSED_TRACKER_STATUSES] }, completedAt: { gte: since } };
  const [timezone, openGroups, closedGroups, recovered, open, closed, notifications] = await Promise.all([
    shopTimeZone(shop),
    prisma().dunningTracker.groupBy({
      by: ["status"],
      where: { shop, status: { in: [...OPEN_TRACKER_STATUSES] } },
      _count: { _all: true },
    }),
    prisma().dunningTracker.groupBy({ by: ["status"], where: closedWhere, _count: { _all: true } }),
    prisma().dunningTracker.findMany({
      where: { ...closedWhere, status: TrackerStatus.Recovered },
      select: { recoveredAmount: true, currencyCode: true },
    }),
    prisma().dunningTracker.findMany({
      where: { shop, status: { in: [...OPEN_TRACKER_STATUSES] } },
      orderBy: [{ openedAt: "desc" }, { id: "desc" }],
      take: OPEN_TRACKERS_SHOWN,
    }),
    prisma().dunningTracker.findMany({
      where: closedWhere,
      orderBy: [{ completedAt: "desc" }, { id: "desc" }],
      take: CLOSED_TRACKERS_SHOWN,
    }),
    prisma().merchantNotification.findMany({
      where: { shop, dismissedAt: null },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: NOTIFICATIONS_SHOWN,
    }),
  ]);

  const openCounts = countsFor(OPEN_TRACKER_STATUSES, openGroups);
  const closedCounts = countsFor(CLOSED_TRACKER_STATUSES, closedGroups);
  const decided = closedCounts[TrackerStatus.Recovered] + closedCounts[TrackerStatus.Exhausted] + closedCounts[TrackerStatus.Stopped];
  return {
    timezone,
    windowDays: OVERVIEW_WINDOW_DAYS,
    openCounts,
    openTotal: sum(Object.values(openCounts)),
    closedCounts,
    closedTotal: sum(Object.values(closedCounts)),
    recoveryRate: decided === 0 ? null : closedCounts[TrackerStatus.Recovered] / decided,
    recoveredAmounts: sumByCurrency(recovered),
    openTrackers: open.map((tracker) => trackerRow(tracker, timezone)),
    closedTrackers: closed.map((tracker) => trackerRow(tracker, timezone)),
    notifications: notifications.map((notification) => ({
      id: notification.id,
      kind: notification.kind,
      trackerId: notification.trackerId,
      contractId: notification.contractId,
      message: notification.message,
      createdAt: notification.createdAt.toISOString(),
      createdAtLocal: describeLocalTime(notification.createdAt, timezone),
    })),
  };
}

export interface TrackerEventView {
  id: number;
  at: string;
  atLocal: string;
  kind: string;
  kindLabel: string;
  status: string;
  statusLabel: string;
  statusTone: StatusTone;
  attemptNumber: number | null;
  errorCode: string | null;
  detail: string;
}

export interface TrackerHistory {
  timezone: string;
  tracker: TrackerRow;
  events: TrackerEventView[];
}

/** A tracker and its history, or null when the shop has no tracker with this id. */
export async function getTrackerHistory(shop: string, trackerId: number): Promise<TrackerHistory | null> {
  if (!Number.isSafeInteger(trackerId) || trackerId <= 0) return null;
  const tracker = await prisma().dunningTracker.findFirst({ where: { id: trackerId, shop } });
  if (!tracker) return null;
  const [timezone, events] = await Promise.all([
    shopTimeZone(shop),
    prisma().dunningEvent.findMany({ where: { trackerId, shop }, orderBy: [{ at: "asc" }, { id: "asc" }] }),
  ]);
  return {
    timezone,
    tracker: trackerRow(tracker, timezone),
    events: events.map((event) => ({
      id: event.id,
      at: event.at.toISOString(),
      atLocal: describeLocalTime(event.at, timezone),
      kind: event.kind,
      kindLabel: describeEventKind(event.kind),
      status: event.status,
      ...statusBadge(event.status),
      attemptNumber: event.attemptNumber,
      errorCode: event.errorCode,
      detail: event.detail,
    })),
  };
}

/** Hides a notification; false when the shop has no such undismissed notification. */
export async function dismissNotification(shop: string, id: number, now: Date): Promise<boolean> {
  if (!Number.isSafeInteger(id) || id <= 0) return false;
  const { count } = await prisma().merchantNotification.updateMany({
    where: { id, shop, dismissedAt: null },
    data: { dismissedAt: now },
  });
  return count > 0;
}

const EVENT_KIND_LABELS: Record<string, string> = {
  RETRY_SCHEDULED: "Retry scheduled",
  WAITING_FOR_PAYMENT_METHOD: "Waiting for a new payment method",
  FINAL_ACTION_SCHEDULED: "Final action scheduled",
  CUSTOMER_ACTION_REQUIRED: "Customer must complete 3-D Secure",
  RECOVERED: "Payment recovered",
  STOPPED: "Dunning stopped",
  CLOSED: "Closed",
  RETRY_SENT: "Retry sent to Shopify",
  RETRY_DEFERRED: "Retry deferred",
  FINAL_ACTION_APPLIED: "Final action applied",
  EMAIL_SENT: "Payment-update email sent",
  EMAIL_NOT_SENT: "Payment-update email not sent",
  PAYMENT_METHOD_REVOKED: "Payment method revoked",
};

/** "OPENED_RETRY_SCHEDULED" -> "Opened: retry scheduled"; unknown kinds are spelled out. */
export function describeEventKind(kind: string): string {
  if (kind.startsWith("OPENED_")) {
    const rest = describeEventKind(kind.slice("OPENED_".length));
    return `Opened: ${rest.charAt(0).toLowerCase()}${rest.slice(1)}`;
  }
  if (kind === "OPENED") return "Opened";
  const known = EVENT_KIND_LABELS[kind];
  if (known) return known;
  const words = kind.toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** What an open tracker waits for, in words; null for a closed one. */
export function describeNextStep(
  tracker: Pick<DunningTracker, "status" | "nextAction" | "nextActionAt" | "finalAction">,
  timezone: string,
): string | null {
  const at = tracker.nextActionAt ? describeLocalTime(tracker.nextActionAt, timezone) : null;
  switch (tracker.status) {
    case TrackerStatus.ActionRequired:
      return "Waiting for 3-D Secure";
    case TrackerStatus.WaitingForPaymentMethod:
      return at ? `Waiting for the customer's new payment method until ${at}` : "Waiting for the customer's new payment method";
    case TrackerStatus.Open:
      if (tracker.nextAction === NextAction.Retry && at) return `Retry at ${at}`;
      if (tracker.nextAction === NextAction.FinalAction && at) return `Final action (${tracker.finalAction ?? "unknown"}) at ${at}`;
      return "Retry in flight";
    default:
      return null;
  }
}

function trackerRow(tracker: DunningTracker, timezone: string): TrackerRow {
  return {
    id: tracker.id,
    contractId: tracker.contractId,
    contractNumber: tracker.contractId.split("/").pop() || tracker.contractId,
    billingCycleIndex: tracker.billingCycleIndex,
    status: tracker.status,
    ...statusBadge(tracker.status),
    attemptCount: tracker.attemptCount,
    lastErrorCode: tracker.lastErrorCode,
    lastErrorClass: tracker.lastErrorClass,
    lastErrorMessage: tracker.lastErrorMessage,
    nextAction: tracker.nextAction,
    nextActionAt: tracker.nextActionAt?.toISOString() ?? null,
    nextActionAtLocal: tracker.nextActionAt ? describeLocalTime(tracker.nextActionAt, timezone) : null,
    nextStep: describeNextStep(tracker, timezone),
    finalAction: tracker.finalAction,
    amount: tracker.amount,
    currencyCode: tracker.currencyCode,
    amountDisplay: tracker.amount ? formatMoney(tracker.amount, tracker.currencyCode) : null,
    openedAt: tracker.openedAt.toISOString(),
    openedAtLocal: describeLocalTime(tracker.openedAt, timezone),
    completedAt: tracker.completedAt?.toISOString() ?? null,
    completedAtLocal: tracker.completedAt ? describeLocalTime(tracker.completedAt, timezone) : null,
    completedReason: tracker.completedReason,
  };
}

function statusBadge(status: string): { statusLabel: string; statusTone: StatusTone } {
  const known = TRACKER_STATUS_LABELS[status];
  return known ? { statusLabel: known.label, statusTone: known.tone } : { statusLabel: status, statusTone: undefined };
}

function countsFor(statuses: readonly string[], groups: Array<{ status: string; _count: { _all: number } }>): Record<string, number> {
  const counts = Object.fromEntries(statuses.map((status) => [status, 0]));
  for (const group of groups) counts[group.status] = group._count._all;
  return counts;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Sums decimal strings per currency exactly (no floating point); unparseable amounts are left out. */
export function sumByCurrency(rows: Array<{ recoveredAmount: string | null; currencyCode: string | null }>): RecoveredAmount[] {
  const totals = new Map<string | null, { units: bigint; scale: number }>();
  for (const row of rows) {
    const parsed = row.recoveredAmount === null ? null : parseDecimal(row.recoveredAmount);
    if (!parsed) continue;
    const total = totals.get(row.currencyCode) ?? { units: 0n, scale: 0 };
    const scale = Math.max(total.scale, parsed.scale);
    total.units = total.units * 10n ** BigInt(scale - total.scale) + parsed.units * 10n ** BigInt(scale - parsed.scale);
    total.scale = scale;
    totals.set(row.currencyCode, total);
  }
  return [...totals.entries()]
    .map(([currencyCode, { units, scale }]) => {
      // At least cents: "12" and "0.5" read as 12.00 and 0.50.
      const shown = Math.max(scale, 2);
      const amount = formatDecimal(units * 10n ** BigInt(shown - scale), shown);
      return { currencyCode, amount, display: formatMoney(amount, currencyCode) };
    })
    .sort((a, b) => (a.currencyCode ?? "").localeCompare(b.currencyCode ?? ""));
}

function parseDecimal(text: string): { units: bigint; scale: number } | null {
  const match = /^\s*(-?)(\d+)(?:\.(\d+))?\s*$/.exec(text);
  if (!match) return null;
  const [, sign, whole, fraction = ""] = match;
  const units = BigInt(`${whole}${fraction}`);
  return { units: sign ? -units : units, scale: fraction.length };
}

function formatDecimal(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** "$12.50" for USD; the amount with its code when the code is not a currency Intl knows. */
export function formatMoney(amount: string, currencyCode: string | null): string {
  if (!currencyCode) return amount;
  const value = Number(amount);
  try {
    if (!Number.isFinite(value)) throw new RangeError(amount);
    return new Intl.NumberFormat("en-US", { style: "currency", currency: currencyCode }).format(value);
  } catch {
    return `${amount} ${currencyCode}`;
  }
}
