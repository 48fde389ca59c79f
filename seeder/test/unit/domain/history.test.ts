import { describe, expect, it } from 'vitest';
import { renderCustomers } from '../../../src/domain/customers.js';
import { blackFridayOf, defaultHistory, Timeline, ZONES, type HistoryShape } from '../../../src/domain/history.js';
import { renderOrders } from '../../../src/domain/orders.js';
import { DAY_MS } from '../../../src/domain/plan.js';
import { wordLists } from '../../../src/domain/word-lists.js';
import { testPlan } from '../../support/plan.js';

const HOUR_MS = 3_600_000;
// Two calendar years, 2024 and 2025, so every month appears twice.
const until = Date.parse('2026-01-01T00:00:00Z');
const flat: HistoryShape = { growth: 1, seasonality: 0, weekly: 0, daily: 0 };

const rows = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t'));

/** A load's orders as (placed_at ms, customer id), and each customer's default-address state. */
function load(history: HistoryShape, orders = 60_000, customers = 6_000) {
  const plan = testPlan(11, { until, history, orders, customers });
  const placed = rows(renderOrders(plan, 0, orders).orders).map((o) => ({
    at: Date.parse(`${o[6]!.replace(' ', 'T')}`),
    customer: Number(o[1]),
  }));
  const c = renderCustomers(plan, 0, customers);
  const stateOf = new Map(rows(c.defaultAddresses).map((a) => [Number(a[1]), a[5]!]));
  const created = rows(c.customers).map((r) => Date.parse(`${r[5]!.replace(' ', 'T')}`));
  return { placed, stateOf, created };
}

const count = <K>(keys: K[]) => {
  const m = new Map<K, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
};
const monthOf = (t: number) => new Date(t).toISOString().slice(0, 7);
const zoneOfState = new Map(ZONES.flatMap((z) => z.states.map((s) => [s, z] as const)));

describe('the history timeline', () => {
  const t = new Timeline(until, defaultHistory);

  it('maps fractions of the rows to instants in order, from the start of the history to its end', () => {
    expect(t.at(0)).toBe(until - 730 * DAY_MS);
    expect(t.at(1)).toBe(until);
    let last = -Infinity;
    for (let q = 0; q <= 1; q += 0.001) {
      const at = t.at(q);
      expect(at).toBeGreaterThanOrEqual(last);
      last = at;
      expect(t.fractionBy(at)).toBeCloseTo(q, 6);
    }
  });

  it('knows when Black Friday is', () => {
    expect(blackFridayOf(2024)).toBe(29);
    expect(blackFridayOf(2025)).toBe(28);
    expect(blackFridayOf(2026)).toBe(27);
  });

  it('puts every state of the word lists in exactly one time zone', () => {
    const zoned = ZONES.flatMap((z) => z.states);
    expect(new Set(zoned).size).toBe(zoned.length);
    expect([...zoned].sort()).toEqual([...wordLists.states].sort());
  });
});

describe('a full load with the default history', () => {
  const { placed, stateOf, created } = load(defaultHistory);

  it('grows: the second year has about sqrt(3) times the orders of the first', () => {
    const firstYear = placed.filter((o) => o.at < Date.parse('2025-01-01T00:00:00Z')).length;
    const ratio = (placed.length - firstYear) / firstYear;
    expect(ratio).toBeGreaterThan(1.55);
    expect(ratio).toBeLessThan(1.95);
  });

  it('peaks in November and December, and November to December beats the months around them', () => {
    const months = count(placed.map((o) => monthOf(o.at)));
    const top2 = [...months.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 2)
      .map(([m]) => m);
    expect(top2.sort()).toEqual(['2025-11', '2025-12']);
    const m = (k: string) => months.get(k)!;
    expect(m('2024-11') + m('2024-12')).toBeGreaterThan(1.25 * (m('2024-09') + m('2024-10')));
    expect(m('2024-12')).toBeGreaterThan(1.4 * m('2025-01'));
    // Black Friday 2025 (28 November) is the busiest day of its month.
    const days = count(placed.filter((o) => monthOf(o.at) === '2025-11').map((o) => new Date(o.at).getUTCDate()));
    const busiest = [...days.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    expect(busiest).toBe(28);
  });

  it("follows a daily cycle in each customer's local time: 8 p.m. has many times 4 a.m.'s orders", () => {
    const localHour = (o: { at: number; customer: number }) => {
      const zone = zoneOfState.get(stateOf.get(o.customer)!)!;
      // Standard time is enough here: daylight saving time moves an hour's orders by one bin.
      return new Date(o.at + zone.offset * HOUR_MS).getUTCHours();
    };
    const hours = count(placed.map(localHour));
    expect(hours.get(20)! / hours.get(4)!).toBeGreaterThan(8);
    const morning = hours.get(3)! + hours.get(4)! + hours.get(5)!;
    const evening = hours.get(19)! + hours.get(20)! + hours.get(21)!;
    expect(evening / morning).toBeGreaterThan(8);
  });

  it('has a weekly rhythm: Saturdays quietest, Sundays busiest (Eastern time)', () => {
    const eastern = (t: number) => new Date(t - 5 * HOUR_MS).getUTCDay(); // 0 Sunday
    const days = count(placed.map((o) => eastern(o.at)));
    const sorted = [...days.entries()].sort((a, b) => a[1] - b[1]);
    expect(sorted[0]![0]).toBe(6);
    expect(sorted.at(-1)![0]).toBe(0);
    expect(days.get(0)! / days.get(6)!).toBeGreaterThan(1.2);
  });

  it('keeps orders in id order in time, and after their customer signed up', () => {
    const firstOrderOf = new Map<number, number>();
    for (const o of placed) if (!firstOrderOf.has(o.customer)) firstOrderOf.set(o.customer, o.at);
    for (const [customer, at] of firstOrderOf) expect(at).toBeGreaterThan(created[customer - 1]!);
    // Times go up with the id, except where an order waits for its customer's sign-up.
    const inversions = placed.filter((o, i) => i > 0 && o.at < placed[i - 1]!.at).length;
    expect(inversions / placed.length).toBeLessThan(0.02);
  });

  it('signs customers up faster as the shop grows', () => {
    const firstYear = created.filter((t) => t < Date.parse('2025-01-01T00:00:00Z')).length;
    expect((created.length - firstYear) / firstYear).toBeGreaterThan(1.5);
  });
});

describe('a flat history (growth 1, every rhythm 0)', () => {
  const { placed } = load(flat, 48_000);

  it('spreads orders evenly over months, weekdays and hours', () => {
    const spread = (m: Map<unknown, number>) => Math.max(...m.values()) / Math.min(...m.values());
    // 24 months of 31 days against February's 28 or 29: 1.11 at most, plus sampling noise.
    expect(spread(count(placed.map((o) => monthOf(o.at))))).toBeLessThan(1.2);
    expect(spread(count(placed.map((o) => new Date(o.at).getUTCDay())))).toBeLessThan(1.08);
    expect(spread(count(placed.map((o) => new Date(o.at).getUTCHours())))).toBeLessThan(1.12);
  });
});
