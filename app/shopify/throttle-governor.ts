/** Shopify's per-app-per-shop cost bucket, as reported in `extensions.cost.throttleStatus`. */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

/** Points set aside for one request in flight; hand it back to `settle` when the answer arrives. */
export interface CostReservation {
  readonly cost: number;
  /** Send order, so that an answer overtaken by a later one cannot roll the bucket back. */
  readonly sequence: number;
}

export interface ThrottleGovernorOptions {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

interface Waiter {
  cost: number | (() => number);
  resolve: (reservation: CostReservation) => void;
}

// Float noise in refill arithmetic must not cost an extra 1 ms wait.
const EPSILON = 1e-6;

/**
 * A local mirror of Shopify's leaky bucket for one shop, so that requests wait before they
 * would be throttled instead of after. Each answer syncs the mirror; between answers it refills
 * at the restore rate and counts the points that requests in flight may take. Requests are
 * let through in FIFO order.
 */
export class ThrottleGovernor {
  private reported: ThrottleStatus | undefined;
  /** Points the bucket held at `syncedAt` (Shopify's report, less what was spent since). */
  private level = 0;
  private syncedAt = 0;
  private syncedSequence = -1;
  private readonly inFlight = new Set<CostReservation>();
  private nextSequence = 0;
  private readonly queue: Waiter[] = [];
  private pausedUntil = -Infinity;
  private timerAt: number | undefined;

  constructor(private readonly options: ThrottleGovernorOptions) {}

  /** The last status Shopify reported. */
  status(): ThrottleStatus | undefined {
    return this.reported ? { ...this.reported } : undefined;
  }

  /** Points the governor believes can be spent now; undefined before Shopify's first report. */
  availableNow(): number | undefined {
    if (!this.reported) return undefined;
    return this.refilledLevel() - this.reservedPoints();
  }

  /**
   * Waits until `cost` points can be spent without being throttled, then sets them aside.
   * A function is asked when the request reaches the head of the queue, so that a cost learned
   * while it waited is the one used.
   */
  reserve(cost: number | (() => number)): Promise<CostReservation> {
    return new Promise((resolve) => {
      this.queue.push({ cost, resolve });
      this.letWaitersThrough();
    });
  }

  /**
   * The request holding `reservation` got an answer. With Shopify's status the mirror is synced
   * to it (the report already counts this request's actual cost); without one (5xx, network
   * error) the reserved points are assumed spent, since Shopify may have run the query.
   */
  settle(reservation: CostReservation, reported?: ThrottleStatus): void {
    if (!this.inFlight.delete(reservation)) return;
    const now = this.options.now();
    if (reported && isUsable(reported)) {
      const level = Math.min(reported.currentlyAvailable, reported.maximumAvailable);
      if (reservation.sequence > this.syncedSequence) {
        this.reported = { ...reported };
        this.level = level;
        this.syncedAt = now;
        this.syncedSequence = reservation.sequence;
      } else if (this.reported) {
        // An answer overtaken by a later request's answer: Shopify may still have run this query
        // after the later one, so its report can only lower the estimate, never raise it.
        this.level = Math.min(this.refilledLevel(), level);
        this.syncedAt = now;
      }
    } else if (this.reported && reservation.sequence > this.syncedSequence) {
      // A later report would already count these points if Shopify took them.
      this.level = this.refilledLevel() - reservation.cost;
      this.syncedAt = now;
    }
    this.letWaitersThrough();
  }

  /** The request holding `reservation` was not sent after all. */
  cancel(reservation: CostReservation): void {
    if (this.inFlight.delete(reservation)) this.letWaitersThrough();
  }

  /** Holds every request back for `ms` (HTTP 429 with Retry-After applies to the whole shop). */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.options.now() + ms);
    this.letWaitersThrough();
  }

  private letWaitersThrough(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0];
      const cost = typeof head.cost === "function" ? head.cost() : head.cost;
      const waitMs = this.waitBefore(cost);
      if (waitMs > 0) {
        if (Number.isFinite(waitMs)) this.wakeUpIn(waitMs);
        return;
      }
      this.queue.shift();
      const reservation: CostReservation = { cost, sequence: this.nextSequence++ };
      this.inFlight.add(reservation);
      head.resolve(reservation);
    }
  }

  /** 0 when `cost` can be spent now; Infinity when only an answer in flight can unblock it. */
  private waitBefore(cost: number): number {
    const now = this.options.now();
    if (now < this.pausedUntil) return this.pausedUntil - now;
    const reported = this.reported;
    // Nothing known about the bucket yet: one request at a time until Shopify reports it.
    if (!reported) return this.inFlight.size === 0 ? 0 : Infinity;
    if (reported.restoreRate <= 0) return this.inFlight.size === 0 ? 0 : Infinity;
    // A query larger than the bucket can only be tried on a full bucket; Shopify then decides.
    const needed = Math.min(cost, reported.maximumAvailable);
    const shortfall = needed - (this.refilledLevel() - this.reservedPoints());
    if (shortfall <= EPSILON) return 0;
    return Math.max(1, Math.ceil((shortfall / reported.restoreRate) * 1000));
  }

  private wakeUpIn(ms: number): void {
    const at = this.options.now() + ms;
    if (this.timerAt !== undefined && this.timerAt <= at) return;
    this.timerAt = at;
    void this.options.sleep(ms).then(() => {
      if (this.timerAt === at) this.timerAt = undefined;
      this.letWaitersThrough();
    });
  }

  private refilledLevel(): number {
    const reported = this.reported;
    if (!reported) return 0;
    const elapsedSeconds = Math.max(0, this.options.now() - this.syncedAt) / 1000;
    return Math.min(reported.maximumAvailable, this.level + elapsedSeconds * reported.restoreRate);
  }

  private reservedPoints(): number {
    let total = 0;
    for (const reservation of this.inFlight) total += reservation.cost;
    return total;
  }
}

function isUsable(status: ThrottleStatus): boolean {
  return [status.maximumAvailable, status.currentlyAvailable, status.restoreRate].every(Number.isFinite) && status.maximumAvailable > 0;
}
