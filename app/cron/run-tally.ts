/** What one call of the billing endpoint did: the JSON it answers with (plus elapsed time). */
export interface BillingRunTally {
  shops: {
    /** Due shops this call looked at. */
    due: number;
    claimed: number;
    /** Billed for their local date (every due cycle sent, or recorded as refused). */
    finished: number;
    /** A terminal Shopify answer (frozen shop, revoked access, ...): recorded, not retried today. */
    failed: number;
    /** Shopify unavailable or an unexpected error: left for the next call. */
    deferred: number;
    /** Claimed, but the time budget ran out first: left for the next call. */
    unfinished: number;
    /** Claimed by another process meanwhile. */
    heldElsewhere: number;
    /** Listed as due, but not due at `now` (schedule changed): only their next run time moved. */
    notDue: number;
    /** Runs for earlier local dates that this call caught up (the scheduler was down). */
    caughtUpDates: number;
  };
  contracts: {
    /** Active contracts whose next billing date has come. */
    due: number;
    /** Due before the catch-up window: not charged automatically. */
    outsideWindow: number;
  };
  cycles: {
    /** Unbilled, unskipped cycles expected within the window. */
    due: number;
    /** Attempted by an earlier run (its outcome is dunning's business). */
    alreadyAttempted: number;
  };
  /** Billing attempts sent, by what Shopify answered at once. */
  attempts: { sent: number; processing: number; succeeded: number; failed: number; actionRequired: number; rejected: number };
  /** Attempts whose late result was fetched by polling. */
  polled: number;
}

export function emptyTally(): BillingRunTally {
  return {
    shops: { due: 0, claimed: 0, finished: 0, failed: 0, deferred: 0, unfinished: 0, heldElsewhere: 0, notDue: 0, caughtUpDates: 0 },
    contracts: { due: 0, outsideWindow: 0 },
    cycles: { due: 0, alreadyAttempted: 0 },
    attempts: { sent: 0, processing: 0, succeeded: 0, failed: 0, actionRequired: 0, rejected: 0 },
    polled: 0,
  };
}

/** Adds what one shop's run charged (its contracts, cycles, attempts and polls) to the call's tally. */
export function addShopWork(tally: BillingRunTally, shop: BillingRunTally): void {
  for (const part of ["contracts", "cycles", "attempts"] as const) {
    const into = tally[part] as unknown as Record<string, number>;
    for (const [key, count] of Object.entries(shop[part])) into[key] += count;
  }
  tally.polled += shop.polled;
}
