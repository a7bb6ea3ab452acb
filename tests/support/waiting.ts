// Waiting in tests: for an event, never for a fixed time, and never without a bound. The
// bounds are far below the test timeout, so a wait that never ends fails naming what it
// waited for. Timers and performance.now() are real even where the Date clock is pinned.

const DEFAULT_TIMEOUT_MS = 10_000;

/** `promise`'s outcome, or a rejection naming `what` once `timeoutMs` pass without one. */
export function within<T>(what: string, promise: Promise<T>, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Waited ${timeoutMs} ms for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Resolves once `condition()` holds, checked every `intervalMs`; rejects naming `what`
 * after `timeoutMs`. For state that nothing signals (a list another process appends to);
 * prefer an event where there is one.
 */
export async function pollUntil(
  what: string,
  condition: () => boolean,
  { timeoutMs = DEFAULT_TIMEOUT_MS, intervalMs = 10 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() >= deadline) throw new Error(`Waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
