/**
 * The lakehouse layer's figures: how fast the Iceberg sink takes in what the pipeline captured
 * (the whole backlog of the run, read from the beginning when the layer starts), what the
 * warehouse costs on disk, and how fresh the lakehouse is (Debezium's read of a change to the
 * commit of the Iceberg snapshot that holds it) at the configured commit interval and at 1 s.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../stack/src/component.js';
import { runLakehousePy, waitForSink } from '../stack/src/cdc/lakehouse.js';
import { capturedTables, endOffsets } from '../stack/src/cdc/verify.js';
import { connectUrl } from '../stack/src/components/connect.js';
import { sink, warehouseDir } from '../stack/src/components/lakehouse.js';
import { waitForCapture, waitForTasksRunning } from '../stack/src/operations.js';
import { superuserClient } from '../stack/src/components/postgres.js';
import { up } from '../stack/src/stack.js';
import { deltaStep, type StepProbes } from './deltas.js';
import { percentile, sleep, type Figure } from './lib.js';

export interface LakehouseOptions {
  seederUrl: string;
  /** The pipeline's maximum captured rate in this run (changes/s): the sink's is held against it. */
  capturedMax: number;
  probes: StepProbes & { memory: () => Promise<number> };
  smoke: boolean;
  say: (s: string) => void;
}

function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) total += statSync(path.join(entry.parentPath, entry.name)).size;
  return total;
}

async function sinkConfig(ctx: Context): Promise<Record<string, string>> {
  const res = await fetch(`${connectUrl(ctx.cfg)}/connectors/${sink.name}/config`);
  return (await res.json()) as Record<string, string>;
}

async function putSinkConfig(ctx: Context, config: Record<string, string>): Promise<void> {
  const url = `${connectUrl(ctx.cfg)}/connectors/${sink.name}`;
  const res = await fetch(`${url}/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(config),
  });
  if (!res.ok) throw new Error(`PUT ${url}/config: ${res.status} ${await res.text()}`);
  await sleep(3_000); // the task restarts with it
  await waitForTasksRunning(ctx.cfg, 30_000, sink.name);
}

/** Deltas for a while, then the freshness of every change they made, in ms. */
async function freshnessStep(ctx: Context, o: LakehouseOptions, interval: number): Promise<number[]> {
  const rate = o.smoke ? 100 : 500;
  const seconds = o.smoke ? 4 : 20;
  o.say(`lakehouse freshness: deltas at ${rate}/s for ${seconds} s, commit interval ${interval / 1000} s`);
  const since = Date.now();
  await deltaStep(o.seederUrl, rate, seconds, o.probes);
  const db = superuserClient(ctx.cfg, ctx.cfg.env.PG_DATABASE);
  await db.connect();
  try {
    await waitForCapture(db, 120_000);
  } finally {
    await db.end();
  }
  await waitForSink(ctx.cfg, await capturedTables(ctx.cfg), 120_000);
  // The sink has handed its files over; the coordinator's commit follows within its cycle.
  await sleep(interval + 5_000);
  const samples = JSON.parse(await runLakehousePy(ctx, ['freshness', String(since)])) as number[];
  o.say(
    `  ${samples.length} changes: p50 ${percentile(samples, 50).toFixed(0)} ms, p99 ${percentile(samples, 99).toFixed(0)} ms, max ${samples.at(-1)?.toFixed(0)} ms`,
  );
  return samples;
}

export async function lakehouseFigures(ctx: Context, figures: Figure[], o: LakehouseOptions) {
  const tables = await capturedTables(ctx.cfg);
  const ends = await endOffsets(ctx.cfg, tables);
  const backlog = Number([...ends.values()].reduce((a, b) => a + b, 0n));
  o.say(`lakehouse: starting the layer; the sink reads the run's ${backlog} change records from the beginning`);
  const started = performance.now();
  await up(ctx, ['lakehouse']);
  await waitForSink(ctx.cfg, tables, 30 * 60_000);
  const ingestSeconds = (performance.now() - started) / 1000;
  const ingestRate = backlog / ingestSeconds;
  o.say(`  consumed and written in ${ingestSeconds.toFixed(1)} s: ${ingestRate.toFixed(0)} records/s`);
  figures.push({
    figure: 'lakehouse sink, backlog taken in',
    value: ingestRate,
    unit: 'changes/s',
    limit: o.capturedMax,
    limitName: 'captured max',
    ratio: ingestRate / o.capturedMax,
  });
  const interval = ctx.cfg.env.LAKEHOUSE_COMMIT_INTERVAL_MS;
  await sleep(interval + 5_000); // its last commit
  const bytes = bytesUnder(warehouseDir(ctx.cfg));
  figures.push({
    figure: 'lakehouse disk per million changes',
    value: ((bytes / backlog) * 1e6) / 2 ** 20,
    unit: 'MiB',
  });
  figures.push({ figure: 'stack memory with the lakehouse, idle (PSS)', value: await o.probes.memory(), unit: 'MiB' });

  const result: Record<string, unknown> = { backlog, ingestSeconds, ingestRate, warehouseBytes: bytes, freshness: [] };
  const original = await sinkConfig(ctx);
  for (const ms of [interval, 1_000]) {
    if (ms !== interval) {
      await putSinkConfig(ctx, { ...original, 'iceberg.control.commit.interval-ms': String(ms) });
      // A restarted task's first commit waits out the commit timeout (connectors/README.md): not
      // the interval's freshness, so let it pass first.
      await sleep(Number(original['iceberg.control.commit.timeout-ms'] ?? 30_000) + ms + 2_000);
    }
    const samples = await freshnessStep(ctx, o, ms);
    for (const p of [50, 99])
      figures.push({
        figure: `lakehouse freshness p${p}, commit interval ${ms / 1000} s`,
        value: percentile(samples, p),
        unit: 'ms',
        limit: ms,
        limitName: 'commit interval',
        ratio: percentile(samples, p) / ms,
      });
    (result.freshness as unknown[]).push({
      commitIntervalMs: ms,
      samples: samples.length,
      p50: percentile(samples, 50),
      p99: percentile(samples, 99),
      max: samples.at(-1),
    });
  }
  await putSinkConfig(ctx, original);
  return result;
}
