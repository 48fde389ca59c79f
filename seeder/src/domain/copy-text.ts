/**
 * Rendering of values in COPY's text format: tab-separated columns, \N for null, backslash
 * escapes. Generators build rows with these directly, so no per-row objects are allocated on the
 * bulk path.
 */
import { DAY_MS } from './plan.js';

const special = /[\\\t\n\r]/;

export function text(value: string): string {
  if (!special.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

export function nullable(value: string | null): string {
  return value === null ? '\\N' : text(value);
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/**
 * "HH:MM:" for each minute of a day, and "SS.sssZ" for each millisecond of a minute: built on
 * the first timestamp (about 20 ms), not when a process that never writes one imports this.
 */
let times: { hoursMinutes: string[]; secondsMillis: string[] } | undefined;
const timeTables = () =>
  (times ??= {
    hoursMinutes: Array.from({ length: 24 * 60 }, (_, i) => `${pad(Math.floor(i / 60), 2)}:${pad(i % 60, 2)}:`),
    secondsMillis: Array.from({ length: 60_000 }, (_, i) => `${pad(Math.floor(i / 1000), 2)}.${pad(i % 1000, 3)}Z`),
  });
/** "YYYY-MM-DDT" by day since the epoch, as asked for. */
const days = new Map<number, string>();

/**
 * A UTC instant as `Date.prototype.toISOString` writes it, from tables: the full load writes
 * about three per row, and `toISOString` was a quarter of its rendering time.
 */
export function timestamp(ms: number): string {
  const t = Math.trunc(ms);
  // Years 1970 to 9999: the tables' range; anything else as Date writes it.
  if (!(t >= 0 && t < 253_402_300_800_000)) return new Date(ms).toISOString();
  const day = Math.floor(t / DAY_MS);
  let date = days.get(day);
  if (date === undefined) {
    if (days.size >= 10_000) days.clear();
    date = new Date(day * DAY_MS).toISOString().slice(0, 11);
    days.set(day, date);
  }
  const { hoursMinutes, secondsMillis } = timeTables();
  const inDay = t - day * DAY_MS;
  const minute = Math.floor(inDay / 60_000);
  return date + hoursMinutes[minute]! + secondsMillis[inDay - minute * 60_000]!;
}

/** Money is kept in integer cents while generating, so sums are exact. */
export function money(cents: number): string {
  const whole = Math.floor(cents / 100);
  const rest = cents - whole * 100;
  return `${whole}.${rest < 10 ? '0' : ''}${rest}`;
}
