/**
 * npm run bench [-- --smoke]: every performance figure of the playground next to a limit measured
 * in the same run on the same machine, as one table, plus bench/results/<timestamp>.json (and a
 * chart when Python's matplotlib is available: bench/chart.py).
 *
 * It brings up its own stack (.stack/bench, free ports), so it never touches a running playground.
 * --smoke: small sizes and short steps, to check in CI that the bench works and computes its
 * ratios; its figures say nothing about the machine.
 * --only full-load: the full-load figures alone, on the source layer (a few minutes): for
 * comparing a change to the load path against the code before it. docs/performance.md is left as it is.
 * --only startup: `up` to the first change event, and the idle stack's memory (about a minute).
 * --only deltas: everything but the full loads: start-up, the captured ladder (ours and the tutorial
 * defaults'), then the limits in four alternating rounds: pgbench, the database alone, the captured
 * pipeline and the same with the tutorial defaults, each as fast as it goes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { tables } from '../seeder/src/db/tables.js';
import { createDecoder } from '../stack/src/cdc/avro.js';
import { connector, topicOf } from '../stack/src/cdc/connector.js';
import { connectUrl } from '../stack/src/components/connect.js';
import { registryUrl } from '../stack/src/components/registry.js';
import { consume } from '../stack/src/cdc/replica.js';
import type { Context } from '../stack/src/component.js';
import { ROOT } from '../stack/src/config.js';
import { readGcPauses, type GcPauses } from '../stack/src/gc-log.js';
import { interrupted } from '../stack/src/processes.js';
import { down, downOnSignals, freshHome, status, up } from '../stack/src/stack.js';
import { contextFor, isolatedEnv } from '../stack/test/support/stack-cli.js';
import { freePort } from '../seeder/test/support/test-stack.js';
import {
  deltaStep,
  findPgbench,
  initPgbench,
  LatencyProbe,
  pgbenchLimit,
  putConnectorConfig,
  stackCpu,
  walMark,
  walReader,
  walSince,
  withCapturePaused,
  type DeltaStep,
} from './deltas.js';
import { CopyLimit, seederLoad, type LoadSize } from './full-load.js';
import {
  climbLadder,
  deltaStepFigures,
  latencyFigures,
  limitFigures,
  median,
  medianRate,
  percentile,
  roundOrder,
  printTable,
  SUSTAINED,
  WARM_UP,
  walText,
  type Figure,
  type LimitRound,
  type StepSummary,
} from './lib.js';
import { tutorialConfig } from './baseline.js';
import { lakehouseFigures } from './lakehouse.js';
import { superuserClient } from '../stack/src/components/postgres.js';
import { waitForCapture } from '../stack/src/operations.js';
import { updateReadme } from './readme.js';

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const smoke = values.smoke;
if (values.only !== undefined && !['full-load', 'startup', 'deltas'].includes(values.only)) {
  process.stderr.write(`bench: --only takes full-load, startup or deltas, not "${values.only}"\n`);
  process.exit(2);
}
const fullLoadOnly = values.only === 'full-load';
const startupOnly = values.only === 'startup';
const deltasOnly = values.only === 'deltas';
const say = (s: string) => process.stdout.write(`bench: ${s}\n`);
const TABLES: readonly string[] = tables;

/** The default load; the bench measures multiples of it. */
const BASE: LoadSize = { customers: 2000, products: 300, orders: 5000 };
const scaled = (k: number): LoadSize => ({
  customers: BASE.customers * k,
  products: BASE.products * k,
  orders: BASE.orders * k,
});

async function main(): Promise<void> {
  const home = process.env.BENCH_HOME ?? '.stack/bench';
  const env = await isolatedEnv(home);
  const ctx = { ...contextFor(env), say: (s: string) => say(`  ${s}`) };
  // What an interrupted run left running in its home is stopped first; Ctrl-C stops this one's.
  await freshHome(ctx);
  downOnSignals(ctx);
  try {
    await run(ctx);
  } catch (err) {
    if (interrupted()) throw err;
    // Stop what it started (the logs stay in .stack/bench for a look): a failed run leaves no JVMs behind.
    await down(ctx, { wipe: false }).catch(() => undefined);
    throw err;
  }
}

async function run(ctx: Context): Promise<void> {
  const cfg = ctx.cfg;
  const figures: Figure[] = [];
  const result: Record<string, unknown> = { startedAt: new Date().toISOString(), smoke, machine: machine() };

  if (fullLoadOnly) {
    say('starting the source layer');
    await up(ctx, ['source']);
    result.fullLoads = await fullLoadFigures(ctx, figures);
    report(figures, result, '-full-load');
    if (!values.keep) await down(ctx, { wipe: true });
    return;
  }

  // --- Start-up: npm run stack -- up to the first change event decoded by a consumer ---
  // The source and streaming layers: the lakehouse's sink shares Connect with Debezium, so it is
  // started last (lakehouseFigures) and takes no CPU from the figures before it.
  say('starting the stack (source and streaming; downloads cached)');
  const upStarted = performance.now();
  await up(ctx, ['source', 'streaming']);
  const upSeconds = (performance.now() - upStarted) / 1000;
  const seederUrl = `http://127.0.0.1:${cfg.env.SEEDER_PORT}`;
  await fetch(`${seederUrl}/full-load?wait=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // Small, but enough that every table has rows, so every topic exists for the latency probe.
    body: JSON.stringify({ customers: 200, products: 30, orders: 500, seed: 1 }),
  });
  const decoder = createDecoder(`http://127.0.0.1:${cfg.env.REGISTRY_PORT}/apis/ccompat/v7`);
  const brokers = [`127.0.0.1:${cfg.env.KAFKA_PORT}`];
  await consume({
    brokers,
    topics: [topicOf('customers')],
    decoder,
    waitForTopics: 60_000,
    untilCaughtUp: true,
    timeoutMs: 60_000,
    onRecord: () => undefined,
  });
  const firstEventSeconds = (performance.now() - upStarted) / 1000;
  figures.push({
    figure: 'up -> first change event',
    value: firstEventSeconds,
    unit: 's',
    limit: 15,
    limitName: 'goal',
    ratio: 15 / firstEventSeconds,
    goal: '<= 15 s',
    met: firstEventSeconds <= 15,
  });
  result.startup = { upSeconds, firstEventSeconds };
  const memory = async () => (await status(ctx)).reduce((sum, s) => sum + (s.memoryMiB ?? 0), 0);
  await new Promise((r) => setTimeout(r, 5_000));
  const idleMiB = await memory();
  figures.push({
    figure: 'stack memory, idle (PSS)',
    value: idleMiB,
    unit: 'MiB',
    limit: 1126,
    limitName: 'goal',
    ratio: 1126 / idleMiB,
    goal: '<= 1.1 GiB',
    met: idleMiB <= 1126,
  });
  if (startupOnly) {
    report(figures, result, '-startup');
    if (!values.keep) await down(ctx, { wipe: true });
    return;
  }

  if (!deltasOnly) result.fullLoads = await fullLoadFigures(ctx, figures);

  // --- Deltas, with CDC latency at each rate; then the limits against pgbench ---
  const pgbench = findPgbench();
  if (!pgbench) say('pgbench not found (Debian: apt-get install postgresql-15); its limit is left out');
  const cpu = () => stackCpu(ctx);
  const probe = new LatencyProbe(brokers, TABLES.map(topicOf), decoder);
  await probe.start();
  const seconds = smoke ? 4 : 15;
  const ladder = smoke ? [50, 200] : [100, 1000, 2000, 4000, 8000, 16000];
  /** As fast as the generator goes, as pgbench runs: more than any machine here makes. */
  const fastest = smoke ? 400 : 40_000;
  const db = superuserClient(cfg, cfg.env.PG_DATABASE);
  await db.connect();
  const walDb = await walReader(cfg);
  /** Says how a captured step went: its rate, latency, how much of it the consumer had, its CPU. */
  const sayStep = (step: DeltaStep) => {
    // Deletes' tombstones and snapshot reads aside, one event per row change: fewer, and the
    // pipeline had not shipped the step's changes 2 s after its end.
    const shipped = step.latencies.length / (step.achieved * step.seconds);
    say(
      `  achieved ${step.achieved.toFixed(0)}/s; latency p50 ${percentile(step.latencies, 50)} ms, p99 ${percentile(step.latencies, 99)} ms over ${step.latencies.length} events (${(shipped * 100).toFixed(1)} % of its row changes); stack ${step.memoryMiB ?? '-'} MiB; CPU ${cpuText(step.cpuPercent)}`,
    );
  };
  /** The ladder's steps (lib's climbLadder), each reported as it ends. */
  const climb = async (label: string, withGc: boolean) => {
    const gcByStep: { target: number; gc: Record<string, GcPauses> }[] = [];
    const steps = await climbLadder(ladder, fastest, async (target) => {
      say(`deltas at ${target} row changes/s for ${seconds} s, captured${label}`);
      const step = await deltaStep(seederUrl, target, seconds, { latency: probe, memory, cpu });
      sayStep(step);
      if (withGc) {
        // What may make the tail: each JVM's longest GC pause in the step (the latencies' window).
        const gc = readGcPauses(cfg, ['connect', 'kafka', 'registry'], step.window.from, step.window.to + 2_000);
        gcByStep.push({ target, gc });
        say(`  GC pauses: ${gcText(gc)}`);
      }
      return step;
    });
    await waitForCapture(db, 300_000); // the last step's backlog, if any, shipped before the next measurement
    return { steps, gcByStep };
  };
  // The ladder measures the steady state (lib's WARM_UP).
  const warmUp = smoke ? { rate: 200, seconds: 2 } : WARM_UP;
  say(`warm-up: deltas at ${warmUp.rate} row changes/s for ${warmUp.seconds} s, not measured`);
  await deltaStep(seederUrl, warmUp.rate, warmUp.seconds, { cpu });
  const { steps, gcByStep } = await climb('', true);
  // The same ladder with the settings a tutorial user has (bench/baseline.ts), on this stack.
  const ours = (await (await fetch(`${connectUrl(cfg)}/connectors/${connector.name}/config`)).json()) as Record<
    string,
    string
  >;
  say("the same with the defaults a tutorial user has (poll.interval.ms 500, Apicurio's default schema resolver)");
  const theirsConfig = tutorialConfig(ours, `${registryUrl(cfg)}/apis/registry/v2`);
  await putConnectorConfig(cfg, theirsConfig);
  const tutorial = await climb(', tutorial defaults', false);
  await putConnectorConfig(cfg, ours);
  // Its consumer stops here: idle, kafkajs's still takes 4-5 % of a core, which pgbench and the
  // database alone would be short of.
  await probe.stop();

  // The limits, in rounds that alternate (lib's roundOrder): pgbench; the database alone (nothing
  // ships its changes while they are made, as nothing ships pgbench's); the captured pipeline,
  // as fast as the generator goes, with a consumer decoding every event; the same with the
  // tutorial defaults (their ladder ran after ours, and beat ours at its fastest step in the two
  // runs before these rounds alternated, which alone cannot separate the settings from the
  // minute). Each rate is the median of its rounds, so a machine that drifts over the run moves
  // pgbench's limit with the rates held to it (one pgbench at the start made 8,551 to 9,228 row changes/s in three runs, and the
  // database alone, last, 5,992 to 8,131). After each, the slot has confirmed everything, so no
  // backlog spills into the next.
  const rounds: LimitRound[] = [];
  const kinds = (['captured', 'pgbench', 'alone', 'tutorial'] as const).filter((k) => k !== 'pgbench' || pgbench);
  // As many rounds as kinds: each takes each place once.
  const roundCount = smoke ? 1 : kinds.length;
  if (pgbench) await initPgbench(ctx, pgbench);
  for (let i = 0; i < roundCount; i++) {
    const round: Partial<LimitRound> = {};
    for (const kind of roundOrder(kinds, i)) {
      const of = `round ${i + 1} of ${roundCount}`;
      if (kind === 'pgbench') {
        say(`pgbench (TPC-B-like, 4 clients) on the same server for ${seconds} s, ${of}`);
        const limit = await pgbenchLimit(ctx, pgbench!, seconds, walDb);
        say(
          `  ${limit.tps.toFixed(0)} tps = ${Math.round(limit.rowChangesPerSecond)} row changes/s, each transaction ${walText(limit.wal)}`,
        );
        round.pgbench = limit;
      } else if (kind === 'alone') {
        say(`deltas at ${fastest} row changes/s for ${seconds} s, capture paused, ${of}`);
        // Nothing sampled while it runs but the CPU times at its ends, as nothing samples pgbench.
        // And the WAL it wrote, from the generator's start to its stop, as for pgbench's timed run.
        const { alone, wal } = await withCapturePaused(cfg, async () => {
          const mark = await walMark(walDb);
          const alone = await deltaStep(seederUrl, fastest, seconds, { cpu });
          return { alone, wal: await walSince(walDb, mark, alone.transactions * alone.seconds) };
        });
        say(
          `  achieved ${alone.achieved.toFixed(0)}/s in ${alone.transactions.toFixed(0)} transactions/s, each ${(alone.achieved / alone.transactions).toFixed(2)} row changes and ${walText(wal)}; CPU ${cpuText(alone.cpuPercent)}`,
        );
        round.alone = {
          achieved: alone.achieved,
          transactions: alone.transactions,
          wal,
          cpuPercent: alone.cpuPercent,
        };
      } else {
        const theirs = kind === 'tutorial';
        say(
          `deltas at ${fastest} row changes/s for ${seconds} s, captured${theirs ? ', tutorial defaults' : ''}, ${of}`,
        );
        if (theirs) await putConnectorConfig(cfg, theirsConfig);
        const own = new LatencyProbe(brokers, TABLES.map(topicOf), decoder);
        await own.start();
        const step = await deltaStep(seederUrl, fastest, seconds, { latency: own, cpu }).finally(() => own.stop());
        sayStep(step);
        if (theirs) {
          await putConnectorConfig(cfg, ours);
          round.tutorial = summary(step);
        } else {
          round.captured = summary(step);
        }
      }
      await waitForCapture(db, 300_000);
    }
    rounds.push(round as LimitRound);
  }
  result.limitRounds = rounds;
  const capturedMax = median(rounds.map((r) => r.captured.achieved));

  // --- The lakehouse layer, last ---
  const lakehouse: Figure[] = [];
  await db.end();
  await walDb.end();
  result.lakehouse = await lakehouseFigures(ctx, lakehouse, {
    seederUrl,
    capturedMax,
    probes: { memory, cpu },
    smoke,
    say,
  });

  const sustained = steps.filter((s) => s.achieved >= SUSTAINED * s.target);
  const tutorialSummaries = tutorial.steps.map(summary);
  result.tutorialDefaults = tutorialSummaries;
  figures.push(...deltaStepFigures(steps));
  const maxSustained = sustained.length ? Math.max(...sustained.map((s) => s.achieved)) : 0;
  figures.push(...limitFigures(rounds));
  const summaries = steps.map(summary);
  figures.push(...latencyFigures(summaries));
  figures.push(...tutorialFigures(summaries, tutorialSummaries));
  const busiest = Math.max(...steps.map((s) => s.memoryMiB ?? 0));
  figures.push({
    figure: 'stack memory, max delta rate',
    value: busiest,
    unit: 'MiB',
    limit: 2048,
    limitName: 'goal',
    ratio: 2048 / busiest,
    goal: '<= 2 GiB',
    met: busiest <= 2048,
  });
  figures.push(...lakehouse);
  result.deltas = summaries.map((s, i) => ({ ...s, gcPauses: gcByStep[i]?.gc }));
  result.maxSustained = maxSustained;

  const file = report(figures, result, smoke ? '-smoke' : deltasOnly ? '-deltas' : '');
  if (!smoke && !deltasOnly) say(updateReadme(file));
  if (!values.keep) await down(ctx, { wipe: true });
}

/** Prints the table, writes bench/results/<timestamp><suffix>.json and its chart; returns the file. */
function report(figures: Figure[], result: Record<string, unknown>, suffix: string): string {
  process.stdout.write('\n');
  printTable(figures, (line) => process.stdout.write(`${line}\n`));
  result.figures = figures;
  const dir = path.join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(dir, `${stamp}${suffix}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  say(`results: ${path.relative(ROOT, file)}`);
  // The project's Python (requirements-dev.txt, matplotlib included) when it is set up, as .ci/run does.
  const venvPython = path.join(ROOT, '.stack', 'venv', 'bin', 'python3');
  const python = existsSync(venvPython) ? venvPython : 'python3';
  const chart = spawnSync(python, [path.join(ROOT, 'bench', 'chart.py'), file], { encoding: 'utf8' });
  say(
    chart.status === 0
      ? chart.stdout.trim()
      : `no chart (${(chart.stderr || chart.stdout).trim().split('\n').at(-1)}); pip install -r requirements-dev.txt, then python3 bench/chart.py ${path.relative(ROOT, file)}`,
  );

  return file;
}

/** Full load vs COPY of the same rows, at several sizes. */
async function fullLoadFigures(ctx: Context, figures: Figure[]): Promise<Record<string, unknown>[]> {
  const sizes = smoke ? [1] : [10, 100];
  const loads: Record<string, unknown>[] = [];
  const loadPort = await freePort();
  for (const k of sizes) {
    const size = scaled(k);
    // One load's rate moves by a fifth or more from one minute to the next on this machine, both
    // ways (its cores' speed: PostgreSQL's CPU per row of the same COPY moved from 18 to 24 µs),
    // whatever else the stack does. So COPY and the seeder take turns, in alternating order (COPY
    // first, then the seeder first, ...) so that neither is always the later one, and each keeps
    // its median round: the best of three picked whichever side had caught a fast minute (one
    // 10x COPY at 58.3k rows/s, its other two at 49.1k and 50.3k).
    const rounds = smoke ? 1 : 3;
    const copyLimit = new CopyLimit(ctx, size);
    const copies: Awaited<ReturnType<CopyLimit['measure']>>[] = [];
    const seeders: Awaited<ReturnType<typeof seederLoad>>[] = [];
    const title = `full load ${k}x (${size.customers} customers, ${size.products} products, ${size.orders} orders)`;
    const copyTurn = async (heading: string) => {
      say(`${heading}: COPY limit`);
      const c = await copyLimit.measure();
      copies.push(c);
      say(`  COPY of ${c.rows} pre-rendered rows: ${Math.round(c.rowsPerSecond)} rows/s`);
    };
    const seederTurn = async (heading: string) => {
      say(`${heading}: seeder`);
      const l = await seederLoad(ctx, size, loadPort);
      seeders.push(l);
      say(
        `  seeder: ${l.rows} rows in ${l.seconds.toFixed(1)} s = ${Math.round(l.rowsPerSecond)} rows/s, peak RSS ${l.peakRssMiB.toFixed(0)} MiB`,
      );
    };
    try {
      for (let round = 1; round <= rounds; round++) {
        const heading = rounds > 1 ? `${title} (round ${round} of ${rounds})` : title;
        const turns = round % 2 === 1 ? [copyTurn, seederTurn] : [seederTurn, copyTurn];
        for (const turn of turns) await turn(heading);
      }
    } finally {
      copyLimit.close();
    }
    const limit = medianRate(copies);
    const load = medianRate(seeders);
    const ratio = load.rowsPerSecond / limit.rowsPerSecond;
    figures.push({
      figure: `full load ${k}x (${load.rows} rows)`,
      value: load.rowsPerSecond,
      unit: 'rows/s',
      limit: limit.rowsPerSecond,
      limitName: 'COPY',
      ratio,
      goal: '>= 90 %',
      met: ratio >= 0.9,
    });
    figures.push({
      figure: `seeder peak RSS, ${k}x load`,
      value: Math.max(...seeders.map((l) => l.peakRssMiB)),
      unit: 'MiB',
    });
    loads.push({ scale: k, size, copy: limit, seeder: load, ratio, rounds: { copy: copies, seeder: seeders } });
  }
  if (loads.length > 1) {
    const first = loads[0] as { seeder: { rowsPerSecond: number } };
    const last = loads.at(-1) as { seeder: { rowsPerSecond: number }; scale: number };
    const flat = last.seeder.rowsPerSecond / first.seeder.rowsPerSecond;
    figures.push({
      figure: `full-load rate ${last.scale}x vs ${sizes[0]}x`,
      value: flat * 100,
      unit: '%',
      limit: 100,
      limitName: `${sizes[0]}x rate`,
      ratio: flat,
      goal: 'flat (>= 90 %)',
      met: flat >= 0.9,
    });
  }
  return loads;
}

/** A delta step as the result file keeps it: percentiles instead of every latency. */
function summary(s: DeltaStep) {
  return {
    ...s,
    p50: percentile(s.latencies, 50),
    p99: percentile(s.latencies, 99),
    latencies: undefined,
    events: s.latencies.length,
  };
}

/** Ours against the tutorial defaults' (goal 5): latency at 1000/s (the rates: lib's limitFigures). */
function tutorialFigures(ours: StepSummary[], theirs: StepSummary[]): Figure[] {
  const at = (steps: StepSummary[]) => steps.find((s) => s.target === 1000);
  const figures: Figure[] = [];
  const [a, b] = [at(ours), at(theirs)];
  if (a && b) {
    for (const p of ['p50', 'p99'] as const) {
      figures.push({
        figure: `CDC latency ${p} at 1000/s vs tutorial defaults`,
        value: a[p],
        unit: 'ms',
        limit: b[p],
        limitName: 'tutorial defaults',
        ratio: b[p] / a[p],
      });
    }
  }
  return figures;
}

/** "connect 90 %, postgres 60 %, ...": busiest first. */
function cpuText(shares: Record<string, number>): string {
  return Object.entries(shares)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v} %`)
    .join(', ');
}

function machine() {
  return {
    node: process.version,
    cpus: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${process.platform}-${process.arch}`,
  };
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    // Interrupted: the signal handler stops the stack and exits 130; this failure is its doing.
    if (interrupted()) return;
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);

/** "connect: 14 pauses, 96 ms in all, longest 31 ms (Pause Young (Allocation Failure)); kafka: ..." */
function gcText(gc: Record<string, GcPauses>): string {
  return Object.entries(gc)
    .map(([jvm, p]) =>
      p.count === 0
        ? `${jvm}: none`
        : `${jvm}: ${p.count} pauses, ${Math.round(p.totalMs)} ms in all, longest ${Math.round(p.maxMs)} ms (${p.maxKind})`,
    )
    .join('; ');
}
