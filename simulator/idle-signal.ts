/**
 * Resolves waiters once a condition over the simulator's background work holds (no
 * attempt processing, no webhook queued or in flight). Work that finishes calls
 * `changed()`; the check runs on the next macrotask so work chained synchronously on a
 * completion (an attempt that enqueues its webhook) is counted before anyone is told "idle".
 */
export class IdleSignal {
  private waiters: Array<{ isIdle: () => boolean; resolve: () => void }> = [];
  private checkScheduled = false;

  waitUntil(isIdle: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ isIdle, resolve });
      this.changed();
    });
  }

  changed(): void {
    if (this.checkScheduled || this.waiters.length === 0) return;
    this.checkScheduled = true;
    setImmediate(() => {
      this.checkScheduled = false;
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.isIdle()) return true;
        waiter.resolve();
        return false;
      });
    });
  }
}
