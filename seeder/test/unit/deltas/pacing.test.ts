/** The generator's pacing on a fake clock: the rate it allows, its burst cap, and the rate it reports. */
import { describe, expect, it } from 'vitest';
import { RateWindow, TokenBucket } from '../../../src/deltas/pacing.js';

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
    expect(rate).toBeLessThan(25); // the 5 s window holds only the slow part
  });
});
