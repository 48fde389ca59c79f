/** The bench's tables are honest: every step shown and held to its goal; docs/performance.md is their copy. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  climbLadder,
  deltaStepFigures,
  latencyFigures,
  limitFigures,
  median,
  medianRate,
  printTable,
  roundOrder,
  walText,
  type LimitRound,
} from '../lib.js';
import {
  isFullRun,
  newestResult,
  p99Line,
  README,
  readmeBlock,
  recentP99s,
  renderBlock,
  tableRows,
  type BenchResult,
} from '../readme.js';

const lines = (rows: Parameters<typeof printTable>[0]) => {
  const out: string[] = [];
  printTable(rows, (l) => out.push(l));
  return out;
};

/** A result file's header, for results built by hand. */
const runOf2026 = {
  startedAt: '2026-01-01T00:00:00.000Z',
  smoke: false,
  machine: { node: 'v20', cpus: 2, memoryGiB: 8, platform: 'linux-x64' },
};

describe('the limits, in alternating rounds', () => {
  it('runs each measurement once in every place over as many rounds as there are measurements', () => {
    const kinds = ['captured', 'pgbench', 'alone'];
    const orders = [0, 1, 2].map((r) => roundOrder(kinds, r));
    expect(orders).toEqual([
      ['captured', 'pgbench', 'alone'],
      ['pgbench', 'alone', 'captured'],
      ['alone', 'captured', 'pgbench'],
    ]);
    for (const kind of kinds) expect(new Set(orders.map((o) => o.indexOf(kind))).size).toBe(3);
  });

  it('takes the median of each measurement, and holds it to its goal against the median of pgbench', () => {
    const round = (pgbench: number, alone: number, captured: number): LimitRound => ({
      pgbench: { tps: pgbench / 4, rowChangesPerSecond: pgbench },
      alone: { achieved: alone, transactions: alone / 3 },
      captured: { achieved: captured },
    });
    // A slow middle round: medians, not means, and not the last round alone.
    const figures = limitFigures([round(9000, 9300, 5500), round(6000, 6000, 3000), round(10000, 8000, 6200)]);
    const by = (name: string) => figures.find((f) => f.figure === name)!;
    expect(by('max deltas rate, database alone')).toMatchObject({ value: 8000, limit: 9000, met: false });
    expect(by('max deltas rate, captured end to end')).toMatchObject({
      value: 5500,
      limit: 9000,
      goal: '>= 60 %',
      met: true,
    });
    expect(by('max deltas rate, captured end to end').ratio).toBeCloseTo(5500 / 9000);
    expect(by('max deltas rate, database alone, transactions')).toMatchObject({ value: 8000 / 3, limit: 2250 });
    expect(by('max deltas rate, database alone, transactions').met).toBeUndefined();
  });

  it("holds the captured median to the tutorial defaults' median when the rounds have them", () => {
    const round = (captured: number, tutorial: number): LimitRound => ({
      alone: { achieved: 9000, transactions: 3000 },
      captured: { achieved: captured },
      tutorial: { achieved: tutorial },
    });
    const figures = limitFigures([round(6000, 7000), round(6200, 5000), round(5000, 6500)]);
    const vs = figures.find((f) => f.figure === 'max deltas rate, captured, vs tutorial defaults');
    expect(vs).toMatchObject({ value: 6000, limit: 6500, limitName: 'tutorial defaults' });
    expect(vs!.ratio).toBeCloseTo(6000 / 6500);
    expect(vs!.met).toBeUndefined();
  });

  it("holds the WAL per transaction of the database alone to pgbench's, lower being better", () => {
    const perTx = (bytes: number) => ({ bytes, records: 10, btreeRecords: 4, fullPageImageBytes: 0 });
    const round = (pgbench: number, alone: number): LimitRound => ({
      pgbench: { tps: 2500, rowChangesPerSecond: 10_000, wal: perTx(pgbench) },
      alone: { achieved: 9000, transactions: 2500, wal: perTx(alone) },
      captured: { achieved: 6000 },
    });
    const figures = limitFigures([round(700, 1100), round(650, 1400), round(720, 1000)]);
    const wal = figures.find((f) => f.figure === 'WAL per transaction, database alone');
    expect(wal).toMatchObject({ value: 1100, limit: 700, unit: 'B', limitName: 'pgbench' });
    expect(wal!.ratio).toBeCloseTo(700 / 1100);
    expect(wal!.met).toBeUndefined();
    expect(walText({ bytes: 1129.4, records: 13.94, btreeRecords: 5.04, fullPageImageBytes: 2939 })).toBe(
      '1,129 B of WAL in 13.9 records (5.0 of them in B-tree indexes), 2,939 B of it whole pages',
    );
  });

  it('shows the rates without a limit when pgbench is not installed', () => {
    const figures = limitFigures([{ alone: { achieved: 7000, transactions: 2100 }, captured: { achieved: 5000 } }]);
    expect(figures.map((f) => [f.value, f.limit, f.met])).toEqual([
      [7000, undefined, undefined],
      [2100, undefined, undefined],
      [5000, undefined, undefined],
    ]);
  });

  it('takes the mean of the two middle values of an even number', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('the delta ladder', () => {
  /** A machine that makes at most `capacity` changes/s, whatever it is asked for. */
  const machine = (capacity: number) => {
    const asked: number[] = [];
    const run = async (target: number) => {
      asked.push(target);
      return { target, achieved: Math.min(target, capacity) };
    };
    return { asked, run };
  };

  it('stops at the first step that falls short, then runs one as fast as the generator goes', async () => {
    const m = machine(3_549);
    const steps = await climbLadder([100, 1000, 2000, 4000, 8000], 40_000, m.run);
    expect(m.asked).toEqual([100, 1000, 2000, 4000, 40_000]);
    expect(steps.map((s) => s.achieved)).toEqual([100, 1000, 2000, 3_549, 3_549]);
  });

  it('ends with the unpaced step after a ladder it climbed to the top', async () => {
    const m = machine(20_000);
    await climbLadder([100, 1000], 40_000, m.run);
    expect(m.asked).toEqual([100, 1000, 40_000]);
  });
});

describe('bench tables', () => {
  it('shows a step that missed its target as NOT met, next to those that made it', () => {
    const out = lines(
      deltaStepFigures([
        { target: 100, achieved: 100.2 },
        { target: 50_000, achieved: 9_000 }, // out of reach on any laptop
      ]),
    );
    expect(out).toHaveLength(4); // header, rule, two steps
    expect(out[2]).toMatch(/^deltas at 100\/s achieved .* met$/);
    expect(out[3]).toMatch(/^deltas at 50000\/s achieved .*18\.0 % +>= 98 % +NOT met$/);
  });

  it('rebuilds step rows from the raw steps, whatever a result file kept', () => {
    const result: BenchResult = {
      ...runOf2026,
      // As an older bench wrote it: the failed step and its latencies left out.
      figures: [
        { figure: 'deltas at 100/s achieved', value: 100, unit: 'changes/s', met: true },
        { figure: 'max deltas rate, database alone', value: 900, unit: 'changes/s' },
        { figure: 'stack memory, max delta rate', value: 1000, unit: 'MiB' },
      ],
      deltas: [
        { target: 100, achieved: 100, p50: 30, p99: 90 },
        { target: 1000, achieved: 700, p50: 50, p99: 400 },
      ],
    };
    const names = tableRows(result).map((f) => f.figure);
    expect(names).toEqual([
      'deltas at 100/s achieved',
      'deltas at 1000/s achieved',
      'max deltas rate, database alone',
      'CDC latency p50 at 100/s',
      'CDC latency p99 at 100/s',
      'CDC latency p50 at max (700/s)',
      'CDC latency p99 at max (700/s)',
      'stack memory, max delta rate',
    ]);
    expect(tableRows(result)[1]!.met).toBe(false);
    expect(latencyFigures(result.deltas!)[3]).toMatchObject({ goal: '< 300 ms', met: false });
  });

  it('takes only full runs for docs/performance.md, not smoke or --only runs', () => {
    expect(isFullRun('2026-11-25T16-38-59-424Z.json')).toBe(true);
    expect(isFullRun('2026-11-25T16-38-59-424Z-smoke.json')).toBe(false);
    expect(isFullRun('2026-11-25T16-38-59-424Z-full-load.json')).toBe(false);
    expect(isFullRun('2026-11-25T16-38-59-424Z.png')).toBe(false);
  });

  it("docs/performance.md's results block is the newest result file, rendered", () => {
    const file = newestResult();
    const result = JSON.parse(readFileSync(file, 'utf8')) as BenchResult;
    expect(readmeBlock(readFileSync(README, 'utf8'))).toBe(renderBlock(file, result));
  });
});

describe('the p99 goal over consecutive runs', () => {
  const runs = (...p99s: (number | undefined)[]) => p99s.map((p99, i) => ({ file: `run${i}.json`, p99 }));

  it('is met only by three runs, each under 300 ms', () => {
    expect(p99Line(runs(155, 210, 299))).toMatch(/155 ms \(`run0\.json`\), 210 ms .*: met\.$/);
    expect(p99Line(runs(155, 300, 120))).toMatch(/NOT met\.$/);
    expect(p99Line(runs(155, 120))).toMatch(/last 2 full runs.*NOT met\.$/);
    expect(p99Line(runs(155, undefined, 120))).toMatch(/none \(`run1\.json`\).*NOT met\.$/);
  });

  it('reads the three full runs up to the one shown', () => {
    const recent = recentP99s(newestResult());
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.length).toBeLessThanOrEqual(3);
    expect(recent.at(-1)!.file).toBe(newestResult().split('/').at(-1));
  });
});

describe('rows beside the steps', () => {
  it('keeps a figure that only starts like a step row (ours vs the tutorial defaults)', () => {
    const result: BenchResult = {
      ...runOf2026,
      figures: [
        { figure: 'CDC latency p99 at 1000/s', value: 999, unit: 'ms' },
        { figure: 'CDC latency p99 at 1000/s vs tutorial defaults', value: 116, unit: 'ms', limit: 1097 },
      ],
      deltas: [
        { target: 1000, achieved: 1000, p50: 30, p99: 116 },
        { target: 2000, achieved: 2000, p50: 31, p99: 140 },
      ],
    };
    const names = tableRows(result).map((f) => f.figure);
    expect(names).toContain('CDC latency p99 at 1000/s vs tutorial defaults');
    // The step's own row is rebuilt from the steps, not taken from the file.
    expect(tableRows(result).find((f) => f.figure === 'CDC latency p99 at 1000/s')!.value).toBe(116);
  });

  it('keeps the median round of a full load, not its best, and leaves the rounds in their order', () => {
    const rounds = [{ rowsPerSecond: 58_293 }, { rowsPerSecond: 49_075 }, { rowsPerSecond: 50_347 }];
    expect(medianRate(rounds)).toBe(rounds[2]);
    expect(rounds.map((r) => r.rowsPerSecond)).toEqual([58_293, 49_075, 50_347]);
    expect(() => medianRate([])).toThrow(/no rounds/);
  });
});
