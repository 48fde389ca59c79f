/** Small helpers for the benchmark: percentiles, timing, a table printer. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface Figure {
  figure: string;
  value: number;
  unit: string;
  limit?: number | undefined;
  limitName?: string | undefined;
  /** value / limit, or for "lower is better" figures limit / value; with the goal it is held to. */
  ratio?: number | undefined;
  goal?: string | undefined;
  met?: boolean | undefined;
}

export function printTable(rows: Figure[], write: (s: string) => void): void {
  const cells = rows.map((r) => [
    r.figure,
    `${fmt(r.value)} ${r.unit}`,
    r.limit === undefined ? '' : `${fmt(r.limit)} ${r.unit} (${r.limitName ?? 'limit'})`,
    r.ratio === undefined ? '' : `${(r.ratio * 100).toFixed(1)} %`,
    r.goal ?? '',
    r.met === undefined ? '' : r.met ? 'met' : 'NOT met',
  ]);
  const head = ['figure', 'value', 'limit (same run)', 'ratio', 'goal', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  write(line(head));
  write(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) write(line(c));
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(1);
}
