// Polling for integration tests: wait for a state, never for a duration.
import { setTimeout as sleep } from "node:timers/promises";

export interface EventuallyOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Shown when the wait times out. */
  message?: string;
}

/**
 * Calls `probe` until it returns a value other than undefined/false (and does not throw), and
 * returns that value. On timeout it throws the last error, or a message naming what was awaited.
 */
export async function eventually<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const interval = options.intervalMs ?? 100;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const what = options.message ?? "condition";
      if (lastError instanceof Error) {
        lastError.message = `timed out waiting for ${what}: ${lastError.message}`;
        throw lastError;
      }
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(interval);
  }
}
