/**
 * The delta generator's pacing, as pure code over an injected clock (so it is tested on a fake
 * one): the target rate over time (a rate profile), a token bucket over row changes, and the
 * achieved rate over a recent window.
 */
import { DAILY } from '../domain/history.js';

/**
 * How the target rate moves over time. `steady`: the base rate throughout. `daily`: the full
 * load's daily cycle (domain/history.ts) compressed into `periodSeconds`, starting at midnight,
 * averaging the base rate (about 0.1x before dawn, 2x at the evening peak). `burst`: a flash sale,
 * `multiplier` x the base rate for `burstSeconds` every `everySeconds`, the first after
 * `everySeconds`.
 */
export type RateProfile =
  | { kind: 'steady' }
  | { kind: 'daily'; periodSeconds: number }
  | { kind: 'burst'; multiplier: number; burstSeconds: number; everySeconds: number };

const dailyMean = DAILY.reduce((a, b) => a + b, 0) / DAILY.length;

/** The daily cycle's factor at a point of the day (0..1, from midnight), between the hours' values. */
export function dailyFactor(phase: number): number {
  const h = (((phase % 1) + 1) % 1) * 24;
  const from = Math.floor(h);
  const a = DAILY[from % 24]!;
  const b = DAILY[(from + 1) % 24]!;
  return (a + (b - a) * (h - from)) / dailyMean;
}

/** The profile's highest factor over the base rate. */
export function peakFactor(profile: RateProfile): number {
  if (profile.kind === 'burst') return profile.multiplier;
  if (profile.kind === 'daily') return Math.max(...DAILY) / dailyMean;
  return 1;
}

/** The target rate `elapsedSeconds` after the start, for a base rate and a profile. */
export function targetRate(base: number, profile: RateProfile, elapsedSeconds: number): number {
  switch (profile.kind) {
    case 'steady':
      return base;
    case 'daily':
      return base * dailyFactor(elapsedSeconds / profile.periodSeconds);
    case 'burst': {
      const inBurst =
        elapsedSeconds >= profile.everySeconds && elapsedSeconds % profile.everySeconds < profile.burstSeconds;
      return inBurst ? base * profile.multiplier : base;
    }
  }
}

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
  burst: number;

  constructor(
    private ratePerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.refilledAt = now();
    this.burst = Math.max(ratePerSecond * 0.1, 8);
  }

  /** From now on, refills at `ratePerSecond` (the time before is paid at the rate it had). */
  setRate(ratePerSecond: number): void {
    if (ratePerSecond === this.ratePerSecond) return;
    this.refill();
    this.ratePerSecond = ratePerSecond;
    this.burst = Math.max(ratePerSecond * 0.1, 8);
    this.tokens = Math.min(this.tokens, this.burst);
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
    // Short enough that a burst of a few seconds shows in GET /deltas as it happens.
    private readonly windowMs = 2_000,
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
