import type { KeysetOrder } from "../lib/keyset-page";
import { DeclineClass } from "./decline-classes";
import { CLOSED_TRACKER_STATUSES, OPEN_TRACKER_STATUSES, TrackerStatus } from "./next-step";

// How the Dunning page names statuses and offers its tabs, sorts and filters. Pure: the
// page's component uses them in the browser too.

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

export const TRACKER_TABS = {
  open: { label: "Open", statuses: OPEN_TRACKER_STATUSES },
  closed: { label: "Closed", statuses: CLOSED_TRACKER_STATUSES },
  all: { label: "All", statuses: [...OPEN_TRACKER_STATUSES, ...CLOSED_TRACKER_STATUSES] },
} as const;
export type TrackerTab = keyof typeof TRACKER_TABS;

/** Sort choices as Polaris' sort button spells them ("column direction"). */
export const TRACKER_SORTS = {
  "next asc": { label: "Next step", direction: "Soonest first", order: { fields: ["nextActionAt"], direction: "asc", nullable: true } },
  "opened desc": { label: "Opened", direction: "Newest first", order: { fields: ["openedAt"], direction: "desc" } },
  "opened asc": { label: "Opened", direction: "Oldest first", order: { fields: ["openedAt"], direction: "asc" } },
} as const satisfies Record<string, { label: string; direction: string; order: KeysetOrder }>;
export type TrackerSort = keyof typeof TRACKER_SORTS;

export const DECLINE_CATEGORIES = Object.values(DeclineClass);
