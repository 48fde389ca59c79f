/**
 * Deltas against pgbench, and CDC latency: commit (the source's commit timestamp in each event)
 * to a consumer holding the decoded record.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import type pg from 'pg';
import type { Decoder } from '../stack/src/cdc/avro.js';
import type { ChangeEvent } from '../stack/src/cdc/replica.js';
import type { Context } from '../stack/src/component.js';
import { connectUrl } from '../stack/src/components/connect.js';
import { superuserClient } from '../stack/src/components/postgres.js';
import { connector } from '../stack/src/cdc/connector.js';
import type { StackConfig } from '../stack/src/config.js';
import { connectorAction } from '../stack/src/operations.js';
import { cpuSeconds, waitUntil } from '../stack/src/processes.js';
import { status } from '../stack/src/stack.js';
import { sleep, type WalPerTransaction } from './lib.js';

const run = promisify(execFile);

export function findPgbench(): string | null {
  for (const dir of (process.env.PATH ?? '').split(':'))
    if (dir && existsSync(`${dir}/pgbench`)) return `${dir}/pgbench`;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    for (const v of readdirSync(root).sort().reverse())
      if (existsSync(`${root}/${v}/bin/pgbench`)) return `${root}/${v}/bin/pgbench`;
  }
  return null;
}

/**
 * A connection to the server's own database (pg_walinspect stays out of the shop's) that reads
 * the WAL: `walMark` and `walSince`. Read from the WAL itself (pg_walinspect, shipped with
 * PostgreSQL), as pg_stat_wal's counters lag by up to a second for a connection that stays open,
 * as the seeder's do.
 */
export async function walReader(cfg: StackConfig): Promise<pg.Client> {
  const db = superuserClient(cfg);
  await db.connect();
  await db.query('CREATE EXTENSION IF NOT EXISTS pg_walinspect');
  return db;
}

/** Where the server's WAL stands now, all databases together: the start of a measurement for `walSince`. */
export async function walMark(db: pg.Client): Promise<string> {
  const { rows } = await db.query<{ lsn: string }>('SELECT pg_current_wal_flush_lsn()::text AS lsn');
  return rows[0]!.lsn;
}

/** The WAL written since `mark` (walMark), per one of `transactions`. */
export async function walSince(db: pg.Client, mark: string, transactions: number): Promise<WalPerTransaction> {
  const { rows } = await db.query<{ rm: string; n: number; bytes: number; fpi: number }>(
    `SELECT "resource_manager/record_type" AS rm, count::float8 AS n, combined_size::float8 AS bytes,
            fpi_size::float8 AS fpi
       FROM pg_get_wal_stats($1, pg_current_wal_flush_lsn())`,
    [mark],
  );
  const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((t, r) => t + f(r), 0) / transactions;
  return {
    bytes: sum((r) => r.bytes),
    records: sum((r) => r.n),
    btreeRecords: sum((r) => (r.rm === 'Btree' ? r.n : 0)),
    fullPageImageBytes: sum((r) => r.fpi),
  };
}

/** The environment pgbench's commands run in: the bench's server, its own database. */
function pgbenchEnv(ctx: Context): NodeJS.ProcessEnv {
  const e = ctx.cfg.env;
  return {
    ...process.env,
    PGHOST: '127.0.0.1',
    PGPORT: String(e.PG_PORT),
    PGUSER: e.PG_USER,
    PGPASSWORD: e.PG_PASSWORD,
    PGDATABASE: 'bench_pgbench',
  };
}

/**
 * Creates pgbench's database (scale 10), once for all its rounds. Not again before each: dropping
 * a database forces an immediate checkpoint (PostgreSQL's dropdb, to make the checkpointer forget
 * the database's files), after which the first change to every page logs the whole page. pgbench
 * initialised its tables after that checkpoint and paid none of it, while the next round of the
 * database alone did: 1,972 and 2,363 B of WAL per transaction (871 and 1,253 B of whole pages)
 * right after pgbench's second and fourth rounds, against 1,110 and 1,113 B in the others.
 */
export async function initPgbench(ctx: Context, pgbench: string): Promise<void> {
  const admin = superuserClient(ctx.cfg);
  await admin.connect();
  try {
    await admin.query('DROP DATABASE IF EXISTS bench_pgbench WITH (FORCE)');
    await admin.query('CREATE DATABASE bench_pgbench');
  } finally {
    await admin.end();
  }
  await run(pgbench, ['-i', '-s', '10', '-q'], { env: pgbenchEnv(ctx) });
}

/**
 * pgbench's TPC-B-like script on the same server (its database made by initPgbench): each
 * transaction updates three rows and inserts one, so row changes/s = 4 x tps. With the WAL the run
 * wrote per transaction, read through `wal` (walReader).
 */
export async function pgbenchLimit(
  ctx: Context,
  pgbench: string,
  seconds: number,
  wal: pg.Client,
  clients = 4,
): Promise<{ tps: number; rowChangesPerSecond: number; wal: WalPerTransaction }> {
  const mark = await walMark(wal);
  const { stdout } = await run(
    pgbench,
    ['-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(seconds), '-n'],
    { env: pgbenchEnv(ctx) },
  );
  const tps = Number(/tps = ([\d.]+)/.exec(stdout)?.[1]);
  const done = Number(/number of transactions actually processed: (\d+)/.exec(stdout)?.[1]);
  if (!Number.isFinite(tps) || !(done > 0)) throw new Error(`could not read pgbench's tps:\n${stdout}`);
  return { tps, rowChangesPerSecond: tps * 4, wal: await walSince(wal, mark, done) };
}

/** Collects commit-to-consumer latencies of every change event while it runs. */
export class LatencyProbe {
  private consumer: Consumer | null = null;
  private samples: number[] = [];
  recording = false;

  constructor(
    private readonly brokers: string[],
    private readonly topics: string[],
    private readonly decoder: Decoder,
  ) {}

  async start(): Promise<void> {
    const kafka = new Kafka({ brokers: this.brokers, logLevel: logLevel.NOTHING });
    // Debezium creates a table's topic with its first event: wait until every one exists.
    const admin = kafka.admin();
    await admin.connect();
    let missing: string[] = [];
    const appeared = await waitUntil(async () => {
      const existing = new Set(await admin.listTopics());
      missing = this.topics.filter((t) => !existing.has(t));
      return missing.length === 0;
    }, 120_000);
    if (!appeared) throw new Error(`topics never appeared: ${missing.join(', ')}`);
    await admin.disconnect();
    this.consumer = kafka.consumer({ groupId: `bench-latency-${Date.now()}`, maxWaitTimeInMs: 50 });
    await this.consumer.connect();
    const joined = new Promise<void>((resolve) => this.consumer!.on(this.consumer!.events.GROUP_JOIN, () => resolve()));
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: false });
    await this.consumer.run({
      // Its group is thrown away, so nothing to commit (as for `stack events`, verify and the
      // view). kafkajs's default commits after every fetch: at 3,300 changes/s that took the
      // broker from 6-8 % of a core to 15-24 % and this process 4-12 % more, CPU the
      // pipeline it measures was then short of.
      autoCommit: false,
      eachMessage: async ({ message }) => {
        if (!message.value) return;
        const event = (await this.decoder.decode(message.value)) as unknown as ChangeEvent;
        const at = Date.now();
        if (this.recording && event.source && event.op !== 'r') this.samples.push(at - event.source.ts_ms);
      },
    });
    await joined;
    await sleep(1_000);
  }

  take(): number[] {
    const s = this.samples.sort((a, b) => a - b);
    this.samples = [];
    return s;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

export interface DeltaStep {
  target: number;
  /** Row changes per second. */
  achieved: number;
  /** Actions per second: each is one statement, so one transaction (pgbench's tps counts the same). */
  transactions: number;
  seconds: number;
  /** Commit-to-consumer latencies (ms) of the step's change events; none while capture is paused. */
  latencies: number[];
  /** The whole stack's memory at the step's end (JVMs keep the heap they grew), MiB; absent when not asked. */
  memoryMiB?: number | undefined;
  /** Share of one core each component used during the step, in percent. */
  cpuPercent: Record<string, number>;
  /** The step's measured window (epoch ms): for its JVMs' GC pauses. */
  window: { from: number; to: number };
}

export interface StepProbes {
  /** Records latencies; absent for a step with capture paused. */
  latency?: LatencyProbe | undefined;
  /**
   * The whole stack's memory now, MiB. Read once, at the step's end: a reading costs about 70 ms
   * of CPU (every process's PSS, every component's health), which the step's rate would pay.
   */
  memory?: () => Promise<number>;
  /** CPU seconds used so far, per component. */
  cpu: () => Promise<Record<string, number>>;
}

/** Runs the seeder's generator at `target` row changes/s for `seconds`, with the probes recording. */
export async function deltaStep(
  seederUrl: string,
  target: number,
  seconds: number,
  probes: StepProbes,
): Promise<DeltaStep> {
  const post = (url: string, body: object) =>
    fetch(`${seederUrl}${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  probes.latency?.take();
  const res = await post('/deltas/start', { ratePerSecond: target, concurrency: 4, seed: target });
  if (!res.ok) throw new Error(`deltas/start: ${res.status} ${await res.text()}`);
  if (probes.latency) probes.latency.recording = true;
  await sleep(1_000); // past the start, so the CPU shares are of the steady state
  const cpu0 = await probes.cpu();
  const from = Date.now();
  const t0 = performance.now();
  await sleep((seconds - 1) * 1000);
  const cpu1 = await probes.cpu();
  const memoryMiB = await probes.memory?.();
  const wall = (performance.now() - t0) / 1000;
  const status = (await (await post('/deltas/stop', {})).json()) as {
    rowChanges: number;
    actions: number;
    elapsedSeconds: number;
  };
  const cpuPercent = Object.fromEntries(
    Object.entries(cpu1).map(([name, s]) => [name, Math.round(((s - (cpu0[name] ?? s)) / wall) * 100)]),
  );
  let latencies: number[] = [];
  if (probes.latency) {
    await sleep(2_000); // let the last events arrive
    probes.latency.recording = false;
    latencies = probes.latency.take();
  }
  return {
    target,
    achieved: status.rowChanges / status.elapsedSeconds,
    transactions: status.actions / status.elapsedSeconds,
    seconds: status.elapsedSeconds,
    latencies,
    memoryMiB,
    cpuPercent,
    window: { from, to: Date.now() },
  };
}

/**
 * Runs `work` with the Debezium connector paused, then resumes it: the database's own rate, with
 * nothing shipping the changes (as for pgbench, whose database is not captured). The changes stay
 * in the replication slot and are streamed after the resume.
 */
export async function withCapturePaused<T>(cfg: StackConfig, work: () => Promise<T>): Promise<T> {
  await connectorAction(cfg, 'pause', 'PAUSED');
  try {
    return await work();
  } finally {
    await connectorAction(cfg, 'resume', 'RUNNING');
  }
}

/** CPU seconds used so far by each component of the stack, and by this process (the latency probe's consumer). */
export async function stackCpu(ctx: Context): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of await status(ctx)) {
    const seconds = s.pid === undefined ? undefined : cpuSeconds(s.pid);
    if (seconds !== undefined) out[s.name] = seconds;
  }
  const own = process.cpuUsage();
  out['bench consumer'] = (own.user + own.system) / 1e6;
  return out;
}

/** Replaces the running connector's config and waits until it runs again with it. */
export async function putConnectorConfig(cfg: StackConfig, config: Record<string, string>): Promise<void> {
  const url = `${connectUrl(cfg)}/connectors/${connector.name}/config`;
  const res = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(config),
  });
  if (!res.ok) throw new Error(`PUT ${url}: ${res.status} ${await res.text()}`);
  await sleep(3_000); // the task restarts with it
  await connectorAction(cfg, 'resume', 'RUNNING');
}
