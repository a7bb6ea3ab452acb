/**
 * Group commit: callers submit items one by one and each waits for its own result, while the
 * items are written in batches, one batch at a time. A batch is whatever arrived while the
 * previous one was being written (at most `maxBatch`), so an idle system writes each item at
 * once and a busy one writes many per statement; nobody waits for a timer.
 */
export class GroupCommit<Item, Result> {
  private queue: Array<{ item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }> = [];
  private writing = false;

  constructor(
    /** Writes a batch; returns one result per item, in order. */
    private readonly write: (items: Item[]) => Promise<Result[]>,
    private readonly maxBatch: number,
  ) {}

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        // After the I/O of this turn of the event loop: every delivery read meanwhile joins
        // the batch (a synchronous driver, SQLite's, blocks the loop while it writes).
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.write(batch.map((entry) => entry.item));
        batch.forEach((entry, index) => entry.resolve(results[index]));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.writing = false;
  }
}
