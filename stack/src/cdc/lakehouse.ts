/**
 * npm run stack -- verify --lakehouse: is the lakehouse complete and correct right now? Waits until
 * Debezium has confirmed every change committed so far and the Iceberg sink has consumed every
 * change event, then rebuilds every captured table's current state from its Iceberg change table
 * (notebooks/lakehouse.py: the latest change per key, deletes removed, read by pyiceberg) and
 * compares it with the source, every row and column, with the comparison `verify` uses.
 */
import { spawn } from 'node:child_process';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type pg from 'pg';
import { StackError, type Context } from '../component.js';
import { ROOT, type StackConfig } from '../config.js';
import { brokers } from '../components/kafka.js';
import { allRunning, connectorStatus, connectUrl } from '../components/connect.js';
import { sink } from '../components/lakehouse.js';
import { lakehousePython } from '../python.js';
import { waitUntil } from '../processes.js';
import { waitForCapture } from '../operations.js';
import { compareWithSource, keyText, Replica, type TableComparison } from './replica.js';
import { capturedTables, checkSourceQuiet, endOffsets } from './verify.js';

/** What notebooks/lakehouse.py's current-state prints for one table. */
export interface LakehouseTable {
  table: string;
  found: boolean;
  error?: string;
  snapshots?: number;
  changes?: number;
  duplicateOffsets?: number;
  key?: string[];
  rows?: Record<string, unknown>[];
}

export interface LakehouseTableReport extends TableComparison {
  /** Iceberg snapshots of its change table (one per commit with changes). */
  snapshots: number;
  /** Change rows in its Iceberg table. */
  changes: number;
  /** Change rows whose Kafka record (topic, partition, offset) is in the table more than once (the sink wrote a record twice). */
  duplicateOffsets: number;
  ok: boolean;
}

/**
 * One table's verdict: equal to the source, and every Kafka record in it once. A record written
 * twice would not change the current state (the latest change per key wins), but it breaks the
 * sink's exactly-once promise, which this check proves.
 */
export function tableReport(compared: TableComparison, read: LakehouseTable | undefined): LakehouseTableReport {
  const duplicateOffsets = read?.duplicateOffsets ?? 0;
  return {
    ...compared,
    snapshots: read?.snapshots ?? 0,
    changes: read?.changes ?? 0,
    duplicateOffsets,
    ok: compared.missing === 0 && compared.extra === 0 && compared.differing === 0 && duplicateOffsets === 0,
  };
}

export interface LakehouseReport {
  ok: boolean;
  /** Seconds until Debezium had confirmed everything and the sink had consumed every event. */
  catchUpSeconds: number;
  /** Seconds from then until the comparison passed (or gave up): the wait for the sink's commit. */
  commitSeconds: number;
  tables: LakehouseTableReport[];
}

/** The sink's Kafka Connect consumer group (Connect names it after the connector). */
export const sinkGroup = `connect-${sink.name}`;

/**
 * The group of the sink's commit coordinator: Iceberg's Coordinator, a thread in the task that
 * holds the first partition, reads the control topic in the group `<Connect's group>-coord`.
 */
export const coordinatorGroup = `${sinkGroup}-coord`;

export interface CoordinatorGroup {
  /** The broker's group state: Empty, Stable, PreparingRebalance, CompletingRebalance or Dead. */
  state: string;
  members: number;
}

async function describeCoordinator(admin: Admin): Promise<CoordinatorGroup> {
  const {
    groups: [group],
  } = await admin.describeGroups([coordinatorGroup]);
  return { state: group?.state ?? 'Dead', members: group?.members.length ?? 0 };
}

/** Runs `work` with a connected Kafka admin client, disconnected afterwards. */
async function withAdmin<T>(cfg: StackConfig, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Kafka({ brokers: brokers(cfg), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

export const coordinatorGroupState = (cfg: StackConfig) => withAdmin(cfg, describeCoordinator);

/**
 * Waits until the coordinator's group is `gone` (Empty or Dead: the stopped sink's coordinator has
 * left it) or has `one` member, Stable (the started sink's coordinator has its partition). Iceberg
 * 1.12.0 stops a coordinator without waiting for its thread (`CoordinatorThread.terminate` sets a
 * flag), so a new one can join while the old one is still a member; CI saw the new one never get
 * its assignment, and every commit after that timed out (apache/iceberg#17637, unfixed in a
 * release). Restarting the sink only once the old coordinator is gone keeps clear of that.
 */
export async function waitForCoordinator(cfg: StackConfig, want: 'gone' | 'one', timeoutMs = 60_000): Promise<void> {
  let last: CoordinatorGroup = { state: 'unknown', members: 0 };
  const reached = await withAdmin(cfg, (admin) =>
    waitUntil(
      async () => {
        last = await describeCoordinator(admin);
        return want === 'gone'
          ? last.state === 'Empty' || last.state === 'Dead'
          : last.state === 'Stable' && last.members === 1;
      },
      timeoutMs,
      500,
    ),
  );
  if (!reached)
    throw new StackError(
      'lakehouse',
      `the lakehouse sink's commit coordinator group ${coordinatorGroup} is ${last.state} with ${last.members} member(s) ` +
        `after ${timeoutMs / 1000} s, where ${want === 'gone' ? 'the stopped sink should have left it' : 'one coordinator should hold it'}: ` +
        'the sink cannot commit to Iceberg like this (apache/iceberg#17637)',
      'restart Kafka Connect: npm run stack -- down, then npm run stack -- up lakehouse (with Docker: docker compose -f docker-compose.streaming.yaml restart connect)',
    );
}

/** Refuses unless the sink and its task run. */
async function sinkRunning(cfg: StackConfig): Promise<void> {
  const url = `${connectUrl(cfg)}/connectors/${sink.name}/status`;
  const s = await connectorStatus(cfg, sink.name);
  if (s === undefined)
    throw new StackError('verify', `Kafka Connect does not answer at ${connectUrl(cfg)}`, 'npm run stack -- status');
  if (s === null)
    throw new StackError(
      'verify',
      `the lakehouse sink ${sink.name} is not registered`,
      'start the lakehouse layer: npm run stack -- up lakehouse',
    );
  if (!allRunning(s))
    throw new StackError(
      'verify',
      `${sink.name} is ${s.connector.state} (tasks: ${s.tasks.map((t) => t.state).join(', ') || 'none'}): nothing reaches the lakehouse`,
      `see its trace: curl -s ${url}; restart it: curl -X POST '${connectUrl(cfg)}/connectors/${sink.name}/restart?includeTasks=true&onlyFailed=true'`,
    );
}

/** Waits until the sink's group has committed every captured topic's end offset. */
export async function waitForSink(cfg: StackConfig, tables: readonly string[], timeoutMs: number): Promise<void> {
  const ends = await endOffsets(cfg, tables);
  const topics = [...new Set([...ends.keys()].map((tp) => tp.split('/')[0]!))];
  let behind: string[] = [];
  const done = await withAdmin(cfg, (admin) =>
    waitUntil(
      async () => {
        const committed = new Map<string, bigint>();
        for (const t of await admin.fetchOffsets({ groupId: sinkGroup, topics }))
          for (const p of t.partitions) committed.set(`${t.topic}/${p.partition}`, BigInt(p.offset));
        behind = [...ends]
          .filter(([tp, end]) => end > 0n && (committed.get(tp) ?? -1n) < end)
          .map(([tp, end]) => `${tp} at ${committed.get(tp) ?? 'nothing'} of ${end}`);
        return behind.length === 0;
      },
      timeoutMs,
      500,
    ),
  );
  if (!done)
    throw new StackError(
      'verify',
      `the lakehouse sink has not consumed every change event within ${timeoutMs / 1000} s (${behind.join(', ')})`,
      `is it running? curl -s ${connectUrl(cfg)}/connectors/${sink.name}/status; its log: npm run stack -- logs connect`,
    );
}

/** Runs notebooks/lakehouse.py with `args` in the lakehouse's Python environment; its stdout. */
export async function runLakehousePy(ctx: Context, args: string[]): Promise<string> {
  const python = await lakehousePython(ctx);
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['notebooks/lakehouse.py', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...ctx.cfg.raw },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) return resolve(Buffer.concat(out).toString('utf8'));
      const text = Buffer.concat(err).toString('utf8').trim().split('\n').slice(-12).join('\n');
      const cause = text.split('\n').at(-1) ?? '';
      reject(
        new StackError(
          'lakehouse',
          `reading the lakehouse with pyiceberg failed (python notebooks/lakehouse.py ${args[0]}: exit ${code})${cause ? `: ${cause}` : ''}`,
          'is the catalog database there? npm run stack -- status, then npm run stack -- up lakehouse',
          text,
        ),
      );
    });
  });
}

/** Runs notebooks/lakehouse.py current-state for `tables` and parses its JSON lines. */
export async function readLakehouse(ctx: Context, tables: readonly string[]): Promise<LakehouseTable[]> {
  const out = await runLakehousePy(ctx, ['current-state', ...tables]);
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LakehouseTable);
}

/** The current state read from Iceberg, as a Replica the source comparison takes. */
function replicaOf(read: LakehouseTable[]): Replica {
  const replica = new Replica();
  for (const t of read) {
    const rows = replica.table(t.table).rows;
    for (const row of t.rows ?? []) rows.set(keyText((t.key ?? []).map((k) => row[k])), row);
  }
  return replica;
}

export interface LakehouseVerifyOptions {
  tables?: readonly string[];
  /** How long Debezium and the sink may take to catch up (default 120 s). */
  catchUpTimeoutMs?: number;
  /** How long to wait for a commit that makes the lakehouse equal (default three commit intervals + 30 s). */
  commitTimeoutMs?: number;
}

export async function verifyLakehouse(
  ctx: Context,
  db: pg.Client,
  options: LakehouseVerifyOptions = {},
): Promise<LakehouseReport> {
  const { cfg } = ctx;
  await checkSourceQuiet(cfg);
  await sinkRunning(cfg);
  await lakehousePython(ctx); // a first run installs it before, not during, the wait for the commit
  const tables = options.tables ?? (await capturedTables(cfg));
  const started = Date.now();
  const catchUp = options.catchUpTimeoutMs ?? 120_000;
  await waitForCapture(db, catchUp);
  await waitForSink(cfg, tables, catchUp);
  const caughtUp = Date.now();
  // The sink hands its files over with the offsets it commits; the coordinator's Iceberg commit
  // follows within its cycle. Compare until equal or past the deadline.
  const interval = cfg.env.LAKEHOUSE_COMMIT_INTERVAL_MS;
  const deadline = caughtUp + (options.commitTimeoutMs ?? 3 * interval + 30_000);
  for (;;) {
    const read = await readLakehouse(ctx, tables);
    const compared = await compareWithSource(db, replicaOf(read), tables, 5);
    const reports = compared.map((c) =>
      tableReport(
        c,
        read.find((r) => r.table === c.table),
      ),
    );
    const ok = reports.every((r) => r.ok);
    if (ok || Date.now() + interval > deadline)
      return {
        ok,
        catchUpSeconds: (caughtUp - started) / 1000,
        commitSeconds: (Date.now() - caughtUp) / 1000,
        tables: reports,
      };
    await new Promise((r) => setTimeout(r, Math.min(interval, 2_000)));
  }
}

/** One line per table, then the verdict. */
export function lakehouseLines(report: LakehouseReport): string[] {
  const lines = [
    `caught up in ${report.catchUpSeconds.toFixed(1)} s (Debezium and the sink); ` +
      (report.ok
        ? `equal ${report.commitSeconds.toFixed(1)} s later`
        : `still different after ${report.commitSeconds.toFixed(1)} s of the sink's commits`),
  ];
  const width = Math.max(...report.tables.map((t) => t.table.length));
  for (const t of report.tables) {
    lines.push(
      `${t.ok ? 'ok  ' : 'DIFF'} ${t.table.padEnd(width)}  source ${t.sourceRows} rows, ${sink.tableOf(t.table)}: ${t.changes} changes in ${t.snapshots} snapshots, ` +
        `missing ${t.missing}, extra ${t.extra}, differing ${t.differing}, offsets written twice ${t.duplicateOffsets}`,
    );
    for (const m of t.mismatches) lines.push(`       ${m}`);
  }
  lines.push(
    report.ok
      ? `the current state rebuilt from the Iceberg change tables equals the source (${report.tables.length} tables)`
      : `the lakehouse differs from the source in ${report.tables.filter((t) => !t.ok).length} table(s)`,
  );
  return lines;
}
