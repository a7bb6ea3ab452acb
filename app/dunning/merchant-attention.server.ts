import { prisma } from "../db/app-database.server";
import { TrackerStatus } from "./next-step";
import { MerchantNotificationKind } from "./tracker-changes.server";

// What needs the merchant (a customer to authenticate, stock to replenish, the shop's setup
// to fix, a customer's data request), one line per tracker, from the notices dunning and the
// privacy webhooks leave. A notice stops showing when dismissed, when a newer one for its
// tracker replaces it, or once its tracker is resolved (tracker-changes retires them), and
// is hidden as soon as its tracker no longer is in the state it was about.

export const CUSTOMER_DATA_REQUEST = "CUSTOMER_DATA_REQUEST";

export interface AttentionTracker {
  id: number;
  contractId: string;
  billingCycleIndex: number;
  status: string;
  amount: string | null;
  currencyCode: string | null;
  lastErrorCode: string | null;
  customerId: string | null;
}

export interface AttentionItem {
  noticeId: number;
  kind: string;
  createdAt: Date;
  /** The tracker the notice is about; null for a customer's data request. */
  tracker: AttentionTracker | null;
  /** The notice's own text, for notices not about a tracker (written for the merchant, no codes). */
  message: string | null;
}

/** Recent notices read to find the lines to show: enough for `limit` lines after one per tracker. */
const NOTICES_READ = 100;

const RESOLVED: readonly string[] = [TrackerStatus.Recovered, TrackerStatus.Abandoned, TrackerStatus.Exhausted];

/** Whether the tracker is still in the state the notice asked the merchant to act on. */
function stillNeedsMerchant(kind: string, tracker: AttentionTracker): boolean {
  switch (kind) {
    case MerchantNotificationKind.ActionRequired:
      return tracker.status === TrackerStatus.ActionRequired;
    case MerchantNotificationKind.DunningStopped:
      // Closed, but only the merchant can fix the shop's setup: shown until dismissed.
      return tracker.status === TrackerStatus.Stopped;
    default:
      return !RESOLVED.includes(tracker.status);
  }
}

/** The newest lines needing the merchant, at most `limit`; `more` when others wait beyond them. */
export async function getMerchantAttention(shop: string, limit: number): Promise<{ items: AttentionItem[]; more: boolean }> {
  const notices = await prisma().merchantNotification.findMany({
    where: { shop, dismissedAt: null },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: NOTICES_READ,
    select: { id: true, kind: true, createdAt: true, trackerId: true, message: true },
  });
  const trackerIds = [...new Set(notices.flatMap((notice) => (notice.trackerId === null ? [] : [notice.trackerId])))];
  const trackers = trackerIds.length
    ? await prisma().dunningTracker.findMany({
        where: { shop, id: { in: trackerIds } },
        select: { id: true, contractId: true, billingCycleIndex: true, status: true, amount: true, currencyCode: true, lastErrorCode: true, customerId: true },
      })
    : [];
  const trackerById = new Map(trackers.map((tracker) => [tracker.id, tracker]));
  const seen = new Set<number>();
  const items: AttentionItem[] = [];
  for (const notice of notices) {
    if (notice.trackerId === null) {
      items.push({ noticeId: notice.id, kind: notice.kind, createdAt: notice.createdAt, tracker: null, message: notice.message });
      continue;
    }
    const tracker = trackerById.get(notice.trackerId);
    // The newest notice of a tracker speaks for it; a redacted tracker's notices went with it.
    if (!tracker || seen.has(tracker.id)) continue;
    seen.add(tracker.id);
    if (stillNeedsMerchant(notice.kind, tracker)) items.push({ noticeId: notice.id, kind: notice.kind, createdAt: notice.createdAt, tracker, message: null });
  }
  return { items: items.slice(0, limit), more: items.length > limit || notices.length === NOTICES_READ };
}

/**
 * The merchant dismissed a line: the notice and any older one of the same tracker (a line
 * stands for its tracker). False when the shop has no such notice left to dismiss.
 */
export async function dismissMerchantAttention(shop: string, noticeId: number, now: Date): Promise<boolean> {
  if (!Number.isSafeInteger(noticeId) || noticeId <= 0) return false;
  const notice = await prisma().merchantNotification.findFirst({ where: { id: noticeId, shop, dismissedAt: null }, select: { trackerId: true } });
  if (!notice) return false;
  const { count } = await prisma().merchantNotification.updateMany({
    where: notice.trackerId === null ? { id: noticeId, shop, dismissedAt: null } : { shop, trackerId: notice.trackerId, dismissedAt: null },
    data: { dismissedAt: now },
  });
  return count > 0;
}
