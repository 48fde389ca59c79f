/**
 * Rendering of values in COPY's text format: tab-separated columns, \N for null, backslash
 * escapes. Generators build rows with these directly, so no per-row objects are allocated on the
 * bulk path.
 */
const special = /[\\\t\n\r]/;

export function text(value: string): string {
  if (!special.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

export function nullable(value: string | null): string {
  return value === null ? '\\N' : text(value);
}

export function timestamp(ms: number): string {
  return new Date(ms).toISOString();
}

/** Money is kept in integer cents while generating, so sums are exact. */
export function money(cents: number): string {
  const whole = Math.floor(cents / 100);
  const rest = cents - whole * 100;
  return `${whole}.${rest < 10 ? '0' : ''}${rest}`;
}
