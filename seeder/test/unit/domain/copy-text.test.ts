import { describe, expect, it } from 'vitest';
import { timestamp } from '../../../src/domain/copy-text.js';
import { defaultHistory, timelineOf, Timeline } from '../../../src/domain/history.js';
import { Rng } from '../../../src/domain/random.js';

describe('timestamp', () => {
  const iso = (ms: number) => new Date(ms).toISOString();

  it('writes what toISOString writes, at the edges of days, minutes, seconds and the tables', () => {
    const edges = [
      0,
      1,
      999,
      1_000,
      59_999,
      60_000,
      3_599_999,
      3_600_000,
      86_399_999,
      86_400_000,
      Date.parse('2024-02-29T23:59:59.999Z'),
      Date.parse('2024-03-01T00:00:00.000Z'),
      Date.parse('2025-12-31T23:59:59.999Z'),
      253_402_300_799_999, // 9999-12-31T23:59:59.999Z, the tables' last instant
      1_700_000_000_123.9, // a fraction is cut off, as Date does
    ];
    for (const ms of edges) expect(timestamp(ms), String(ms)).toBe(iso(ms));
  });

  it('writes instants outside the tables (before 1970, after 9999) as Date does', () => {
    for (const ms of [-1, -86_400_001, 253_402_300_800_000, 8.64e15]) expect(timestamp(ms)).toBe(iso(ms));
  });

  it('agrees with toISOString on 100,000 instants drawn over the tables', () => {
    const rng = new Rng(7, 0, 0);
    for (let i = 0; i < 100_000; i++) {
      const ms = Math.floor(rng.next() * 253_402_300_800_000);
      if (timestamp(ms) !== iso(ms)) expect(timestamp(ms), String(ms)).toBe(iso(ms));
    }
  });
});

describe('timelineOf', () => {
  const until = Date.parse('2026-01-01T00:00:00Z');
  const flat = { growth: 1, seasonality: 0, weekly: 0, daily: 0 };

  it('answers each plan with the timeline of its own until and shape, however plans alternate', () => {
    const a = { until, history: defaultHistory };
    const b = { until, history: flat };
    const c = { until: until - 86_400_000, history: defaultHistory };
    const expected = [a, b, c].map((p) => new Timeline(p.until, p.history).at(0.5));
    for (let round = 0; round < 3; round++) {
      expect([a, b, c, a].map((p) => timelineOf(p).at(0.5))).toEqual([...expected, expected[0]]);
    }
  });

  it('sees a shape changed in place', () => {
    const history = { ...flat };
    const plan = { until, history };
    const before = timelineOf(plan).at(0.5);
    history.growth = 10;
    expect(timelineOf(plan).at(0.5)).toBe(new Timeline(until, history).at(0.5));
    expect(timelineOf(plan).at(0.5)).not.toBe(before);
  });
});
