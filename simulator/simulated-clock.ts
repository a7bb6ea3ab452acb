/**
 * Business time for the whole simulator: contract and cycle dates, billing attempts and
 * orders read it, so a test can jump a month ahead without waiting. Rate-limit buckets,
 * timeouts and retries keep using real time.
 */
export class SimulatedClock {
  private offsetMs: number;

  constructor(startTime: Date = new Date()) {
    this.offsetMs = startTime.getTime() - Date.now();
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  set(date: Date): void {
    this.offsetMs = date.getTime() - Date.now();
  }

  advance(ms: number): Date {
    this.offsetMs += ms;
    return this.now();
  }
}
