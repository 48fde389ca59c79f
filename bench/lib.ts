/** Small helpers for the benchmark: percentiles, timing, a table printer. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** The middle one of `xs` by rate (of an even number, the upper middle), `xs` left as it is. */
export function medianRate<T extends { rowsPerSecond: number }>(xs: readonly T[]): T {
  if (xs.length === 0) throw new Error('no rounds to take the median of');
  return [...xs].sort((a, b) => a.rowsPerSecond - b.rowsPerSecond)[Math.floor(xs.length / 2)]!;
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

/**
 * Deltas run before any measured step, as on a stack that has run for a minute: a fresh JVM runs
 * its first minutes interpreted and compiling (Kafka's and Connect's CPU per change fell by half
 * over the first ~4 minutes of bench:knobs runs), and its code cache's growth brings Full GCs
 * ('CodeCache GC Threshold') then. The bench and bench:knobs both warm up so.
 */
export const WARM_UP = { rate: 2000, seconds: 60 } as const;

/** A delta step counts as sustained when it achieved this share of its target. */
export const SUSTAINED = 0.98;

/**
 * Runs delta steps up `ladder` until one falls short of its target (the machine's limit: faster
 * ones would too), then one at `fastest`, as fast as the generator goes: a paced step that fell
 * short (4000/s making 3,549/s) is not the most the pipeline makes, and pgbench is not paced.
 */
export async function climbLadder<T extends { achieved: number }>(
  ladder: readonly number[],
  fastest: number,
  run: (target: number) => Promise<T>,
): Promise<T[]> {
  const steps: T[] = [];
  for (const target of ladder) {
    const step = await run(target);
    steps.push(step);
    if (step.achieved < SUSTAINED * target) break;
  }
  steps.push(await run(fastest));
  return steps;
}

/** The middle value of `xs` (of an even number, the mean of the two middle ones). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * `items` in the order of round `round`: rotated by one place a round, so over as many rounds as
 * items each one runs once in every place (a Latin square), and a machine that drifts during a
 * round favours none of them.
 */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  const k = items.length === 0 ? 0 : round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** The WAL a measurement wrote, per transaction: what each of its transactions costs the server. */
export interface WalPerTransaction {
  bytes: number;
  records: number;
  /** B-tree index records: mostly the entries of inserted rows and of updates that were not HOT, one per index. */
  btreeRecords: number;
  /** Whole pages logged on their first change after a checkpoint. */
  fullPageImageBytes: number;
}

/** "1,129 B of WAL in 13.9 records (5.0 of them in B-tree indexes), 0 B of it whole pages" */
export function walText(w: WalPerTransaction): string {
  return `${Math.round(w.bytes).toLocaleString('en-US')} B of WAL in ${w.records.toFixed(1)} records (${w.btreeRecords.toFixed(1)} of them in B-tree indexes), ${Math.round(w.fullPageImageBytes).toLocaleString('en-US')} B of it whole pages`;
}

/** One round of the limits: pgbench, the database alone and the captured pipeline, one after another. */
export interface LimitRound {
  /** Absent when pgbench is not installed. */
  pgbench?: { tps: number; rowChangesPerSecond: number; wal?: WalPerTransaction } | undefined;
  /**
   * The generator unpaced with capture paused: row changes and transactions (actions) per second,
   * and the WAL the server wrote per transaction (absent in results from before it was measured).
   */
  alone: {
    achieved: number;
    transactions: number;
    wal?: WalPerTransaction;
    cpuPercent?: Record<string, number>;
  };
  /** The generator unpaced with every change captured and decoded by a consumer. */
  captured: { achieved: number };
  /** The same with the settings a tutorial user has (bench/baseline.ts); absent when not measured. */
  tutorial?: { achieved: number } | undefined;
}

/**
 * The database alone and the captured pipeline against pgbench, each the median of its rounds
 * (the rounds alternate, so each median and pgbench's come from the same minutes). Goals: the
 * database alone >= 100 % of pgbench's row changes, the captured pipeline >= 60 %; in
 * transactions, shown without a goal (pgbench's change 4 rows each, a shop's actions fewer). And
 * the captured pipeline against the same with the tutorial defaults, when the rounds have it.
 */
export function limitFigures(rounds: readonly LimitRound[]): Figure[] {
  const pgbench = rounds.flatMap((r) => (r.pgbench ? [r.pgbench] : []));
  const limitRate = pgbench.length ? median(pgbench.map((p) => p.rowChangesPerSecond)) : undefined;
  const limitTps = pgbench.length ? median(pgbench.map((p) => p.tps)) : undefined;
  const against = (figure: string, value: number, unit: string, limit: number | undefined, share?: number): Figure =>
    limit === undefined
      ? { figure, value, unit }
      : {
          figure,
          value,
          unit,
          limit,
          limitName: 'pgbench',
          ratio: value / limit,
          ...(share === undefined ? {} : { goal: `>= ${share * 100} %`, met: value >= share * limit }),
        };
  const captured = median(rounds.map((r) => r.captured.achieved));
  const tutorial = rounds.flatMap((r) => (r.tutorial ? [r.tutorial.achieved] : []));
  const vsTutorial: Figure[] = tutorial.length
    ? [
        {
          figure: 'max deltas rate, captured, vs tutorial defaults',
          value: captured,
          unit: 'changes/s',
          limit: median(tutorial),
          limitName: 'tutorial defaults',
          ratio: captured / median(tutorial),
        },
      ]
    : [];
  return [
    against('max deltas rate, database alone', median(rounds.map((r) => r.alone.achieved)), 'changes/s', limitRate, 1),
    against(
      'max deltas rate, database alone, transactions',
      median(rounds.map((r) => r.alone.transactions)),
      'transactions/s',
      limitTps,
    ),
    against('max deltas rate, captured end to end', captured, 'changes/s', limitRate, 0.6),
    ...vsTutorial,
    ...walFigures(rounds),
  ];
}

/**
 * What a transaction of the database alone costs the server against one of pgbench's, in the WAL
 * each wrote (medians of the rounds): shown without a goal, it says why the rates differ. Less is
 * better, so the ratio is pgbench's over ours, as for the other "lower is better" figures.
 */
function walFigures(rounds: readonly LimitRound[]): Figure[] {
  const ours = rounds.flatMap((r) => (r.alone.wal ? [r.alone.wal.bytes] : []));
  if (!ours.length) return [];
  const theirs = rounds.flatMap((r) => (r.pgbench?.wal ? [r.pgbench.wal.bytes] : []));
  const figure = 'WAL per transaction, database alone';
  const value = median(ours);
  if (!theirs.length) return [{ figure, value, unit: 'B' }];
  const limit = median(theirs);
  return [{ figure, value, unit: 'B', limit, limitName: 'pgbench', ratio: limit / value }];
}

/**
 * One row per delta step the bench ran, each held to the same goal: a step that fell short is
 * shown, as NOT met (it is where the ladder stopped), never left out.
 */
export function deltaStepFigures(steps: readonly { target: number; achieved: number }[]): Figure[] {
  return steps.map((s) => ({
    figure: `deltas at ${s.target}/s achieved`,
    value: s.achieved,
    unit: 'changes/s',
    limit: s.target,
    limitName: 'target',
    ratio: s.achieved / s.target,
    goal: `>= ${SUSTAINED * 100} %`,
    met: s.achieved >= SUSTAINED * s.target,
  }));
}

/** A delta step as the result file keeps it: target, achieved rate, latency percentiles (ms). */
export interface StepSummary {
  target: number;
  achieved: number;
  p50: number;
  p99: number;
}

/** p50 and p99 of every step; the goal (p99 < 300 ms) is held at 1000/s. */
export function latencyFigures(steps: readonly StepSummary[]): Figure[] {
  const max = steps.reduce<StepSummary | undefined>((a, b) => (!a || b.achieved > a.achieved ? b : a), undefined);
  return steps.flatMap((s) => {
    const label = s === max ? `max (${Math.round(s.achieved)}/s)` : `${s.target}/s`;
    return [
      { figure: `CDC latency p50 at ${label}`, value: s.p50, unit: 'ms' },
      {
        figure: `CDC latency p99 at ${label}`,
        value: s.p99,
        unit: 'ms',
        ...(s.target === 1000
          ? { limit: 300, limitName: 'goal', ratio: 300 / s.p99, goal: '< 300 ms', met: s.p99 < 300 }
          : {}),
      },
    ];
  });
}

/** Rows that come from the delta steps alone (rebuilt from the steps, never kept by hand). */
export const isStepFigure = (f: Figure) =>
  /^(deltas at \d+\/s achieved|CDC latency p(50|99) at (\d+\/s|max \(\d+\/s\)))$/.test(f.figure);

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
