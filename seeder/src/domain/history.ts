/**
 * When things happen in a full load's two years of history: a shop that grows, has its seasons
 * (Black Friday to Cyber Monday, the weeks before Christmas, a quiet January), a weekly rhythm
 * and a daily cycle in its customers' local time.
 *
 * The history is cut into hourly bins, each with an intensity (the product of the trend, the
 * season, the weekday and the hour of the day, the last three in each time zone's local time,
 * summed over the zones by their share of the customers). Row k of n (a sign-up, an order)
 * happens where the cumulative intensity reaches (k + u) / n, u in [0, 1) drawn per row. So rows
 * stay in id order in time, every row is a pure function of (plan, index) whatever the chunking,
 * and a histogram of n rows follows the intensity up to sampling noise.
 *
 * Each row then belongs to a time zone drawn by that zone's share of the intensity at its time:
 * at 9 p.m. in New York it is 6 p.m. in Los Angeles, so most orders placed then come from the
 * east. A customer's default address is in a state of their zone.
 */
import { DAY_MS, HISTORY_DAYS, type LoadPlan } from './plan.js';

const HOUR_MS = 3_600_000;

/** How strongly each rhythm shapes the history. Every field 0 (growth 1) gives today's flat history. */
export interface HistoryShape {
  /** Sign-ups and orders per day at the end of the history over those at its start (exponential trend); 1: no growth. */
  growth: number;
  /** Strength of the seasons (Black Friday to Cyber Monday, December to Christmas, a quiet January); 0: none, 1: the default. */
  seasonality: number;
  /** Strength of the weekly rhythm (Sundays and Mondays busiest, Saturdays quietest); 0: none. */
  weekly: number;
  /** Strength of the daily cycle in local time (few orders at 4 a.m., the peak at 8 p.m.); 0: none. */
  daily: number;
}

/** The default: the business triples over the two years, every rhythm at its documented strength. */
export const defaultHistory: HistoryShape = { growth: 3, seasonality: 1, weekly: 1, daily: 1 };

/** Upper bounds a request may set (a rhythm of strength s scales each factor's distance from 1 by s). */
export const historyLimits = { growth: 100, seasonality: 3, weekly: 3, daily: 3 } as const;

/**
 * Orders by local hour of the day (0-23), relative: online shops are quiet before dawn, busy from
 * late morning, and peak in the evening.
 */
export const DAILY = [
  0.45, 0.28, 0.18, 0.12, 0.1, 0.12, 0.25, 0.45, 0.7, 0.9, 1.05, 1.15, 1.25, 1.25, 1.2, 1.2, 1.25, 1.35, 1.5, 1.7, 1.8,
  1.7, 1.3, 0.8,
] as const;

/** Orders by local weekday, Monday first, relative: Sunday evenings and Mondays high, Saturdays low. */
export const WEEKLY = [1.1, 1.03, 1.0, 0.98, 0.95, 0.82, 1.12] as const;

/**
 * The season of a (UTC) calendar day, relative: January's lull, the run-up to and the days from
 * Black Friday (the day after the fourth Thursday of November) to Cyber Monday, December until
 * Christmas, Christmas Day itself, the after-Christmas sales.
 */
export function seasonOf(year: number, month: number, day: number): number {
  if (month === 0) return 0.8;
  if (month === 1) return 0.88;
  if (month === 6 || month === 7) return 0.95;
  if (month === 10) {
    const blackFriday = blackFridayOf(year);
    if (day >= blackFriday && day <= blackFriday + 3) return day === blackFriday ? 3 : 2.2; // to Cyber Monday
    if (day >= blackFriday - 7) return 1.3;
    return 1.1;
  }
  if (month === 11) {
    if (day <= 20) return 1.6;
    if (day <= 24) return 1.25;
    if (day === 25) return 0.5;
    return 1.1;
  }
  return 1;
}

/** Day of November (1-30) of Black Friday: the day after the fourth Thursday. */
export function blackFridayOf(year: number): number {
  const firstWeekday = new Date(Date.UTC(year, 10, 1)).getUTCDay(); // 0 Sunday .. 6 Saturday
  const firstThursday = 1 + ((4 - firstWeekday + 7) % 7);
  return firstThursday + 21 + 1;
}

/** US time zones: standard offset (hours), whether they keep daylight saving time, and their states. */
export const ZONES = [
  {
    name: 'Eastern',
    offset: -5,
    dst: true,
    states: 'CT DE FL GA IN KY MA MD ME MI NC NH NJ NY OH PA RI SC VA VT WV'.split(' '),
  },
  { name: 'Central', offset: -6, dst: true, states: 'AL AR IA IL KS LA MN MO MS ND NE OK SD TN TX WI'.split(' ') },
  { name: 'Mountain', offset: -7, dst: true, states: 'CO ID MT NM UT WY'.split(' ') },
  { name: 'Arizona', offset: -7, dst: false, states: ['AZ'] },
  { name: 'Pacific', offset: -8, dst: true, states: 'CA NV OR WA'.split(' ') },
  { name: 'Alaska', offset: -9, dst: true, states: ['AK'] },
  { name: 'Hawaii', offset: -10, dst: false, states: ['HI'] },
] as const;

const STATES = ZONES.reduce((n, z) => n + z.states.length, 0);
/** A zone's share of the customers: its share of the states, as states are drawn evenly. */
const ZONE_WEIGHTS = ZONES.map((z) => z.states.length / STATES);

/**
 * UTC start and end of daylight saving time in a year for a zone at `offset` (US rules since
 * 2007: from 2 a.m. on the second Sunday of March to 2 a.m. on the first Sunday of November).
 */
function dstWindow(year: number, offset: number): [number, number] {
  const sunday = (month: number, nth: number) => {
    const first = new Date(Date.UTC(year, month, 1)).getUTCDay();
    return 1 + ((7 - first) % 7) + (nth - 1) * 7;
  };
  const start = Date.UTC(year, 2, sunday(2, 2), 2) - offset * HOUR_MS;
  const end = Date.UTC(year, 10, sunday(10, 1), 2) - (offset + 1) * HOUR_MS;
  return [start, end];
}

/** A rhythm's factor at strength s: its distance from 1 scaled by s, never below a floor. */
const scaled = (factor: number, s: number) => Math.max(0.02, 1 + s * (factor - 1));
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The cumulative intensity over a history's hourly bins, and each bin's mix of zones. */
export class Timeline {
  readonly start: number;
  readonly end: number;
  /** cumulative[h] = intensity of the bins before h; cumulative[bins] is the total. */
  private readonly cumulative: Float64Array;
  /** Per bin, each zone's share of its intensity (cumulative over the zones, last = 1). */
  private readonly zoneShares: Float32Array;
  private readonly bins: number;

  constructor(until: number, shape: HistoryShape) {
    this.end = until;
    this.start = until - HISTORY_DAYS * DAY_MS;
    this.bins = Math.ceil((this.end - this.start) / HOUR_MS);
    this.cumulative = new Float64Array(this.bins + 1);
    this.zoneShares = new Float32Array(this.bins * ZONES.length);

    const dailyMean = mean(DAILY);
    const weeklyMean = mean(WEEKLY);
    const daily = DAILY.map((f) => scaled(f / dailyMean, shape.daily));
    const weekly = WEEKLY.map((f) => scaled(f / weeklyMean, shape.weekly));
    const seasons = new Map<number, number>();
    const seasonOfDay = (dayIndex: number) => {
      let s = seasons.get(dayIndex);
      if (s === undefined) {
        const d = new Date(dayIndex * DAY_MS);
        s = scaled(seasonOf(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()), shape.seasonality);
        seasons.set(dayIndex, s);
      }
      return s;
    };
    const windows = new Map<string, [number, number]>();
    const offsetAt = (zone: (typeof ZONES)[number], t: number) => {
      if (!zone.dst) return zone.offset;
      const year = new Date(t).getUTCFullYear();
      const key = `${zone.offset}:${year}`;
      let w = windows.get(key);
      if (!w) windows.set(key, (w = dstWindow(year, zone.offset)));
      return t >= w[0] && t < w[1] ? zone.offset + 1 : zone.offset;
    };
    const span = this.end - this.start;
    const logGrowth = Math.log(Math.max(shape.growth, 1e-9));

    const shares = new Float64Array(ZONES.length);
    for (let h = 0; h < this.bins; h++) {
      const from = this.start + h * HOUR_MS;
      const length = Math.min(HOUR_MS, this.end - from);
      const mid = from + length / 2;
      let local = 0;
      for (let z = 0; z < ZONES.length; z++) {
        const localMs = mid + offsetAt(ZONES[z]!, mid) * HOUR_MS;
        const dayIndex = Math.floor(localMs / DAY_MS);
        const hour = Math.floor((localMs - dayIndex * DAY_MS) / HOUR_MS);
        const weekday = (((dayIndex + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday; Monday = 0
        const f = ZONE_WEIGHTS[z]! * seasonOfDay(dayIndex) * weekly[weekday]! * daily[hour]!;
        shares[z] = f;
        local += f;
      }
      let acc = 0;
      for (let z = 0; z < ZONES.length; z++) {
        acc += shares[z]! / local;
        this.zoneShares[h * ZONES.length + z] = z === ZONES.length - 1 ? 1 : acc;
      }
      const trend = Math.exp(logGrowth * ((mid - this.start) / span));
      this.cumulative[h + 1] = this.cumulative[h]! + trend * local * (length / HOUR_MS);
    }
  }

  /** The instant by which a fraction q (0..1) of the history's rows have happened. */
  at(q: number): number {
    const target = q * this.cumulative[this.bins]!;
    let lo = 0;
    let hi = this.bins - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.cumulative[mid]! <= target) lo = mid;
      else hi = mid - 1;
    }
    const from = this.start + lo * HOUR_MS;
    const length = Math.min(HOUR_MS, this.end - from);
    const width = this.cumulative[lo + 1]! - this.cumulative[lo]!;
    const within = width > 0 ? (target - this.cumulative[lo]!) / width : 0;
    return Math.min(this.end, from + Math.min(1, Math.max(0, within)) * length);
  }

  /** The fraction of the history's rows that have happened by instant t. */
  fractionBy(t: number): number {
    if (t <= this.start) return 0;
    if (t >= this.end) return 1;
    const h = Math.min(this.bins - 1, Math.floor((t - this.start) / HOUR_MS));
    const from = this.start + h * HOUR_MS;
    const length = Math.min(HOUR_MS, this.end - from);
    const c = this.cumulative[h]! + ((t - from) / length) * (this.cumulative[h + 1]! - this.cumulative[h]!);
    return c / this.cumulative[this.bins]!;
  }

  /** The time zone (index into ZONES) of a row at instant t, for u uniform in [0, 1). */
  zoneAt(t: number, u: number): number {
    const h = Math.max(0, Math.min(this.bins - 1, Math.floor((t - this.start) / HOUR_MS)));
    for (let z = 0; z < ZONES.length; z++) if (u < this.zoneShares[h * ZONES.length + z]!) return z;
    return ZONES.length - 1;
  }
}

/** Timelines are built once per (until, shape) on each thread: about 20 ms for two years. */
const timelines = new Map<string, Timeline>();

/**
 * The one asked for last, compared field by field: an order asks up to 25 times (a customer's
 * sign-up and zone per draw), and building the map's key each time was 8 % of a load's rendering
 * and much of its garbage.
 */
let last: { until: number; shape: HistoryShape; timeline: Timeline } | undefined;

export function timelineOf(plan: Pick<LoadPlan, 'until' | 'history'>): Timeline {
  const h = plan.history;
  if (
    last !== undefined &&
    last.until === plan.until &&
    last.shape.growth === h.growth &&
    last.shape.seasonality === h.seasonality &&
    last.shape.weekly === h.weekly &&
    last.shape.daily === h.daily
  ) {
    return last.timeline;
  }
  const key = `${plan.until}|${h.growth}|${h.seasonality}|${h.weekly}|${h.daily}`;
  let timeline = timelines.get(key);
  if (!timeline) {
    if (timelines.size >= 4) timelines.clear();
    timeline = new Timeline(plan.until, h);
    timelines.set(key, timeline);
  }
  last = { until: plan.until, shape: { ...h }, timeline };
  return timeline;
}
