/** The generator's pacing on a fake clock: the rate it allows, its burst cap, and the rate it reports. */
import { describe, expect, it } from 'vitest';
import {
  dailyFactor,
  peakFactor,
  RateWindow,
  targetRate,
  TokenBucket,
  type RateProfile,
} from '../../../src/deltas/pacing.js';

/** Lanes that act whenever the bucket lets them, each action changing `rows` rows, for `ms`. */
function simulate(rate: number, rows: number, ms: number, lanes = 4) {
  let now = 0;
  const bucket = new TokenBucket(rate, () => now);
  const ready = Array.from({ length: lanes }, () => 0); // when each lane may try next
  let changed = 0;
  while (true) {
    const lane = ready.indexOf(Math.min(...ready));
    now = ready[lane]!;
    if (now >= ms) break;
    const wait = bucket.take();
    if (wait > 0) {
      ready[lane] = now + wait;
      continue;
    }
    bucket.pay(rows);
    changed += rows;
    ready[lane] = now + 1; // an action takes a millisecond
  }
  return changed;
}

describe('TokenBucket', () => {
  it.each([
    [50, 1],
    [1_000, 1],
    [1_000, 5],
    [5_000, 3],
  ])('holds %i row changes/s with %i-row actions, within the burst', (rate, rows) => {
    const changed = simulate(rate, rows, 10_000);
    const burst = Math.max(rate * 0.1, 8);
    expect(changed).toBeGreaterThanOrEqual(rate * 10 - 4 * rows); // one action per lane in flight
    expect(changed).toBeLessThanOrEqual(rate * 10 + burst + rows);
  });

  it('does not catch up idle time in a burst', () => {
    let now = 0;
    const bucket = new TokenBucket(100, () => now);
    now = 60_000; // a minute paused
    let immediate = 0;
    while (bucket.take() === 0) {
      bucket.pay(1);
      immediate++;
    }
    expect(immediate).toBe(bucket.burst); // 10 at 100/s, not 6000
  });

  it('makes a big action wait for its rows, and gives a failed action its token back', () => {
    let now = 0;
    const bucket = new TokenBucket(100, () => now);
    now = 100; // 10 tokens
    expect(bucket.take()).toBe(0);
    bucket.pay(30); // 20 rows of debt: 200 ms at 100/s
    expect(bucket.take()).toBe(200);
    now = 300; // 20 tokens later the debt is paid, but none is left over
    expect(bucket.take()).toBe(1);
    now = 310; // one token
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(1); // spent
    bucket.refund(); // that action failed: its token is back
    expect(bucket.take()).toBe(0);
  });
});

describe('RateWindow', () => {
  it('reports the recent rate, not the average since the start', () => {
    const window = new RateWindow(0);
    let total = 0;
    let rate = 0;
    for (let t = 0; t <= 20_000; t += 100) {
      total += t < 10_000 ? 10 : 2; // 100/s for 10 s, then 20/s
      rate = window.rate(t, total);
    }
    expect(rate).toBeGreaterThan(19);
    expect(rate).toBeLessThan(25); // the 2 s window holds only the slow part
  });
});

describe('rate profiles', () => {
  const burst: RateProfile = { kind: 'burst', multiplier: 5, burstSeconds: 10, everySeconds: 30 };

  it('keeps a steady rate steady', () => {
    for (const t of [0, 1, 59.5, 3_600]) expect(targetRate(40, { kind: 'steady' }, t)).toBe(40);
  });

  it('runs a flash sale: the base rate, then multiplier x base for burstSeconds every everySeconds', () => {
    const at = (t: number) => targetRate(20, burst, t);
    expect([0, 9.9, 10, 29.9].map(at)).toEqual([20, 20, 20, 20]); // the first burst comes after everySeconds
    expect([30, 35, 39.9].map(at)).toEqual([100, 100, 100]);
    expect([40, 59.9].map(at)).toEqual([20, 20]);
    expect([60, 69.9, 70].map(at)).toEqual([100, 100, 20]);
    expect(peakFactor(burst)).toBe(5);
  });

  it("compresses the full load's daily cycle into a period that averages the base rate", () => {
    const daily: RateProfile = { kind: 'daily', periodSeconds: 600 };
    let sum = 0;
    const samples = 6_000;
    for (let i = 0; i < samples; i++) sum += targetRate(50, daily, (i / samples) * 600);
    expect(sum / samples).toBeCloseTo(50, 0);
    // Quiet before dawn (4 a.m. = 100 s into a 600 s "day"), busiest in the evening (8 p.m. = 500 s).
    expect(targetRate(50, daily, 100)).toBeLessThan(10);
    expect(targetRate(50, daily, 500)).toBeGreaterThan(90);
    expect(targetRate(50, daily, 500)).toBeCloseTo(50 * peakFactor(daily), 5);
    // The next "day" repeats it.
    expect(targetRate(50, daily, 1_100)).toBeCloseTo(targetRate(50, daily, 500), 9);
    // Continuous: no step between hours.
    for (let p = 0; p < 1; p += 0.001) expect(Math.abs(dailyFactor(p + 0.001) - dailyFactor(p))).toBeLessThan(0.02);
  });

  it('paces a bucket whose rate changes: each stretch at its own rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, () => now);
    const served: number[] = [];
    for (let second = 0; second < 90; second++) {
      let n = 0;
      for (let ms = 0; ms < 1_000; ms += 5) {
        now = second * 1_000 + ms;
        bucket.setRate(targetRate(10, burst, now / 1_000));
        if (bucket.take() === 0) n++;
      }
      served.push(n);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(served.slice(1, 30))).toBeCloseTo(10, 0);
    expect(mean(served.slice(31, 40))).toBeCloseTo(50, 0);
    expect(mean(served.slice(41, 60))).toBeCloseTo(10, 0);
    expect(mean(served.slice(61, 70))).toBeCloseTo(50, 0);
  });
});
