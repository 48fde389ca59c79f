/**
 * The delta generator's pacing, as pure code over an injected clock (so it is tested on a fake
 * one): a token bucket over row changes, and the achieved rate over a recent window.
 */

/**
 * A token bucket over row changes. A lane takes one token as a down payment to start an action,
 * pays for the rest of the rows it changed afterwards, and gets the down payment back when the
 * action failed. The burst is capped, so time spent paused or waiting for the database is not
 * caught up in a burst.
 */
export class TokenBucket {
  private tokens = 0;
  private refilledAt: number;
  /** At most this many tokens accumulate: a tenth of a second's worth, and at least 8. */
  readonly burst: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.refilledAt = now();
    this.burst = Math.max(ratePerSecond * 0.1, 8);
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.ratePerSecond);
    this.refilledAt = now;
  }

  /** 0 when an action may start now (its down payment taken), else the milliseconds to wait first. */
  take(): number {
    this.refill();
    if (this.tokens <= 0) return Math.max(1, Math.ceil((-this.tokens / this.ratePerSecond) * 1000));
    this.tokens -= 1;
    return 0;
  }

  /** After an action that changed `rows` rows: the rest of its price. */
  pay(rows: number): void {
    this.tokens -= rows - 1;
  }

  /** After an action that failed: the down payment back. */
  refund(): void {
    this.tokens += 1;
  }
}

/** The rate of a growing total over the last few seconds, from samples at least 0.5 s apart. */
export class RateWindow {
  private samples: [time: number, total: number][];

  constructor(
    start: number,
    private readonly windowMs = 5_000,
  ) {
    this.samples = [[start, 0]];
  }

  /** Per second, over the window ending at `now`, where the total has reached `total`. */
  rate(now: number, total: number): number {
    const last = this.samples[this.samples.length - 1]!;
    if (now - last[0] >= 500) this.samples.push([now, total]);
    while (this.samples.length > 2 && now - this.samples[1]![0] >= this.windowMs) this.samples.shift();
    const [t0, r0] = this.samples[0]!;
    const seconds = (now - t0) / 1000;
    return seconds > 0 ? (total - r0) / seconds : 0;
  }
}
