/**
 * npm run bench:readme [-- bench/results/<run>.json]: writes a bench result (by default the newest
 * full run in bench/results) into docs/performance.md between the markers below, so the docs'
 * figures are the bench's own output, never typed by hand. `npm run bench` calls it after a full run.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deltaStepFigures, isStepFigure, latencyFigures, printTable, type Figure, type StepSummary } from './lib.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = path.join(ROOT, 'bench', 'results');
/** The page that carries the bench's table (the name is the npm script's: bench:readme). */
export const README = path.join(ROOT, 'docs', 'performance.md');
export const BEGIN = '<!-- bench:begin: written by npm run bench:readme from the file named below; do not edit -->';
export const END = '<!-- bench:end -->';

export interface BenchResult {
  startedAt: string;
  smoke: boolean;
  machine: { node: string; cpus: number; memoryGiB: number; platform: string };
  figures: Figure[];
  deltas?: StepSummary[];
}

/** A full run's file: <timestamp>.json, not -smoke.json or -full-load.json. */
export const isFullRun = (file: string): boolean => /^[\dT:-]+Z\.json$/.test(file);

/** The newest full run. */
export function newestResult(dir = RESULTS): string {
  const runs = readdirSync(dir).filter(isFullRun).sort();
  if (runs.length === 0) throw new Error(`no bench result in ${dir}: run npm run bench`);
  return path.join(dir, runs.at(-1)!);
}

/**
 * The table's rows: the run's figures, with the delta steps' rows rebuilt from the raw steps (so a
 * step that fell short shows as NOT met, and every latency row is there, even in a file written
 * before the bench kept such rows): achieved rates before the maximum rates, latencies after.
 */
export function tableRows(result: BenchResult): Figure[] {
  if (!result.deltas) return result.figures;
  const rest = result.figures.filter((f) => !isStepFigure(f));
  const isMax = (f: Figure) => f.figure.startsWith('max deltas rate');
  const firstMax = rest.findIndex(isMax);
  const before = firstMax === -1 ? rest.length : firstMax;
  return [
    ...rest.slice(0, before),
    ...deltaStepFigures(result.deltas),
    ...rest.filter(isMax),
    ...latencyFigures(result.deltas),
    ...rest.slice(before).filter((f) => !isMax(f)),
  ];
}

/** The CDC latency p99 at 1000/s of the last `count` full runs up to `file`, oldest first. */
export function recentP99s(file: string, count = 3): { file: string; p99: number | undefined }[] {
  const dir = path.dirname(file);
  const runs = readdirSync(dir).filter(isFullRun).sort();
  const upTo = runs.slice(0, runs.indexOf(path.basename(file)) + 1).slice(-count);
  return upTo.map((f) => {
    const r = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as BenchResult;
    return { file: f, p99: r.deltas?.find((s) => s.target === 1000)?.p99 };
  });
}

/** Goal 3 of issue #14 holds over three consecutive full runs: each one's p99, and whether all met it. */
export function p99Line(runs: { file: string; p99: number | undefined }[]): string {
  const each = runs.map((r) => `${r.p99 === undefined ? 'none' : `${Math.round(r.p99)} ms`} (\`${r.file}\`)`);
  const met = runs.length === 3 && runs.every((r) => r.p99 !== undefined && r.p99 < 300);
  return `CDC latency p99 at 1000/s in the last ${runs.length} full runs, oldest first (goal: < 300 ms in three consecutive runs): ${each.join(', ')}: ${met ? 'met' : 'NOT met'}.`;
}

/** The README block for one result file: where it came from, the table, the chart beside it. */
export function renderBlock(file: string, result: BenchResult, page = README): string {
  const rel = path.relative(ROOT, file);
  // The chart's link, from the page's folder.
  const chart = path.relative(path.dirname(page), file).replace(/\.json$/, '.png');
  const m = result.machine;
  const lines: string[] = [];
  printTable(tableRows(result), (l) => lines.push(l));
  return [
    BEGIN,
    '',
    `Run of ${result.startedAt} (\`${rel}\`; Node.js ${m.node}, ${m.cpus} cores, ${m.memoryGiB} GiB, ${m.platform}):`,
    '',
    '```text',
    ...lines,
    '```',
    '',
    p99Line(recentP99s(file)),
    '',
    `![CDC latency vs rate, full-load rows/s vs size](${chart})`,
    '',
    END,
  ].join('\n');
}

export function readmeBlock(readme: string): string {
  const from = readme.indexOf(BEGIN);
  const to = readme.indexOf(END);
  if (from === -1 || to < from) throw new Error(`docs/performance.md has no bench block (${BEGIN} ... ${END})`);
  return readme.slice(from, to + END.length);
}

/** Rewrites the page's bench block from `file`; returns a line saying so. */
export function updateReadme(file = newestResult(), readmePath = README): string {
  const result = JSON.parse(readFileSync(file, 'utf8')) as BenchResult;
  const readme = readFileSync(readmePath, 'utf8');
  writeFileSync(readmePath, readme.replace(readmeBlock(readme), renderBlock(file, result, readmePath)));
  return `${path.relative(ROOT, readmePath)}: bench table written from ${path.relative(ROOT, file)}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  process.stdout.write(`${updateReadme(file ? path.resolve(file) : undefined)}\n`);
}
