// Time, injectable: the token lifecycle schedules renewals with it, and unit tests drive a fake
// one instead of waiting.

export interface Clock {
  now(): number;
  /** Calls `fn` after `delayMs`; returns a cancel function. Must not keep the process alive. */
  setTimer(delayMs: number, fn: () => void): () => void;
}

// setTimeout's delay is a signed 32-bit number of milliseconds; longer delays fire at once.
const maxTimerMs = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(delayMs, fn) {
    let handle: NodeJS.Timeout;
    const arm = (remaining: number) => {
      handle = setTimeout(
        () => (remaining > maxTimerMs ? arm(remaining - maxTimerMs) : fn()),
        Math.min(Math.max(0, remaining), maxTimerMs),
      );
      handle.unref();
    };
    arm(delayMs);
    return () => clearTimeout(handle);
  },
};
