/**
 * npm run stack -- verify: is the change stream complete and correct right now? Waits until
 * Debezium has confirmed every change committed so far, rebuilds every captured table from its
 * topic (read from the beginning, decoded through the registry) and compares it with the source,
 * every row and column. The e2e test proves the pipeline with the same code.
 */
import { Kafka, logLevel } from 'kafkajs';
import type pg from 'pg';
import { StackError } from '../component.js';
import type { StackConfig } from '../config.js';
import { brokers } from '../components/kafka.js';
import { ccompatUrl } from '../components/registry.js';
import { connectorStatus, connectUrl } from '../components/connect.js';
import { httpOk } from '../processes.js';
import { createDecoder } from './avro.js';
import { connector, topicOf } from './connector.js';
import { compareWithSource, consume, Replica, type TableComparison } from './replica.js';
import { waitForCapture } from '../operations.js';

export interface TableReport extends TableComparison {
  /** Change events read from the table's topic, tombstones included. */
  events: number;
  /** Events delivered more than once (Kafka Connect delivers at least once). */
  duplicates: number;
  /** With `since`: the events and duplicates from that position on. */
  recentEvents: number;
  recentDuplicates: number;
  ok: boolean;
}

export interface VerifyReport {
  ok: boolean;
  /** Seconds spent waiting for Debezium to confirm the WAL position at the start. */
  catchUpSeconds: number;
  tables: TableReport[];
  replica: Replica;
}

export interface VerifyOptions {
  /** How long to wait for Debezium to catch up before giving up (default 120 s). */
  catchUpTimeoutMs?: number;
  /** How long reading the topics may take (default 300 s). */
  readTimeoutMs?: number;
  /** The tables to check (default: the running connector's table.include.list). */
  tables?: readonly string[];
  /** Count events and duplicates apart from this position on ("topic/partition" → offset). */
  since?: Map<string, bigint>;
}

/**
 * Why the stream cannot catch up, if Connect says so: a paused or stopped connector, a failed
 * task. Undefined when the connector and its tasks run.
 */
async function notRunning(cfg: StackConfig): Promise<StackError | undefined> {
  const url = `${connectUrl(cfg)}/connectors/${connector.name}/status`;
  const s = await connectorStatus(cfg, connector.name);
  if (s === undefined)
    return new StackError('verify', `Kafka Connect does not answer at ${connectUrl(cfg)}`, 'npm run stack -- status');
  if (s === null)
    return new StackError(
      'verify',
      `the connector ${connector.name} is not registered`,
      'register it: npm run stack -- up (connect-init)',
    );
  const failed = s.tasks.filter((t) => t.state === 'FAILED');
  if (failed.length > 0)
    return new StackError(
      'verify',
      `task ${failed.map((t) => t.id).join(', ')} of ${connector.name} FAILED: the stream is not moving`,
      `see its trace: curl -s ${url}; restart it: curl -X POST '${connectUrl(cfg)}/connectors/${connector.name}/restart?includeTasks=true&onlyFailed=true'`,
    );
  if (s.connector.state !== 'RUNNING' || s.tasks.some((t) => t.state !== 'RUNNING'))
    return new StackError(
      'verify',
      `${connector.name} is ${s.connector.state} (tasks: ${s.tasks.map((t) => t.state).join(', ') || 'none'}): the stream is not moving`,
      s.connector.state === 'PAUSED' || s.connector.state === 'STOPPED'
        ? `resume it: curl -X PUT ${connectUrl(cfg)}/connectors/${connector.name}/resume`
        : 'wait a moment and verify again; npm run stack -- status',
    );
  return undefined;
}

/** Refuses while the seeder generates deltas: the source would change under the comparison. */
async function deltasRunning(cfg: StackConfig): Promise<StackError | undefined> {
  const url = `http://127.0.0.1:${cfg.env.SEEDER_PORT}`;
  if (!(await httpOk(`${url}/health`))) return undefined;
  const res = await fetch(`${url}/deltas`, { signal: AbortSignal.timeout(5_000) }).catch(() => null);
  if (!res?.ok) return undefined;
  const { state } = (await res.json()) as { state: string };
  if (state !== 'running' && state !== 'paused' && state !== 'waiting_for_database') return undefined;
  return new StackError(
    'verify',
    `the seeder is generating deltas (${state}): the source changes while it is compared`,
    `stop them first: curl -X POST ${url}/deltas/stop`,
  );
}

/** Throws unless the source holds still (no deltas) and the Debezium connector runs. */
export async function checkSourceQuiet(cfg: StackConfig): Promise<void> {
  const refused = (await deltasRunning(cfg)) ?? (await notRunning(cfg));
  if (refused) throw refused;
}

export async function verifyPipeline(
  cfg: StackConfig,
  db: pg.Client,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  await checkSourceQuiet(cfg);
  const tables = options.tables ?? (await capturedTables(cfg));
  const started = Date.now();
  try {
    await waitForCapture(db, options.catchUpTimeoutMs ?? 120_000);
  } catch (err) {
    // Say why it did not catch up when Connect knows (a task failed while we waited).
    throw (await notRunning(cfg)) ?? err;
  }
  const catchUpSeconds = (Date.now() - started) / 1000;
  const replica = new Replica();
  // Debezium creates a table's topic with its first event: read the topics that exist.
  const offsets = await endOffsets(cfg, tables);
  await consume({
    brokers: brokers(cfg),
    topics: tables.map(topicOf).filter((t) => offsets.has(`${t}/0`)),
    decoder: createDecoder(ccompatUrl(cfg)),
    untilCaughtUp: true,
    latestSchemas: true,
    timeoutMs: options.readTimeoutMs ?? 300_000,
    onRecord: (topic, key, value, { partition, message }) =>
      replica.apply(
        topic,
        key!,
        value,
        options.since !== undefined && BigInt(message.offset) >= (options.since.get(`${topic}/${partition}`) ?? 0n),
      ),
  });
  const compared = await compareWithSource(db, replica, tables, 5);
  const reports = compared.map((c) => {
    const t = replica.tables.get(c.table);
    return {
      ...c,
      events: t?.events ?? 0,
      duplicates: t?.duplicates ?? 0,
      recentEvents: t?.recentEvents ?? 0,
      recentDuplicates: t?.recentDuplicates ?? 0,
      ok: c.missing === 0 && c.extra === 0 && c.differing === 0,
    };
  });
  return { ok: reports.every((r) => r.ok), catchUpSeconds, tables: reports, replica };
}

/** The end offset of every partition of the captured tables' topics ("topic/partition" → offset). */
export async function endOffsets(
  cfg: StackConfig,
  tables: readonly string[] = connector.tables,
): Promise<Map<string, bigint>> {
  const admin = new Kafka({ brokers: brokers(cfg), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const out = new Map<string, bigint>();
    for (const topic of tables.map(topicOf).filter((t) => existing.has(t))) {
      for (const p of await admin.fetchTopicOffsets(topic)) out.set(`${topic}/${p.partition}`, BigInt(p.high));
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/** The number of change events in Kafka: the sum of the end offsets {@link endOffsets} returns. */
export const totalEvents = (offsets: Map<string, bigint>): bigint => [...offsets.values()].reduce((a, b) => a + b, 0n);

/**
 * The tables the running connector captures: its table.include.list as Kafka Connect has it,
 * which a scenario may have extended beyond the template's.
 */
export async function capturedTables(cfg: StackConfig): Promise<string[]> {
  const res = await fetch(`${connectUrl(cfg)}/connectors/${connector.name}/config`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) return [...connector.tables];
  return tablesOf((await res.json()) as Record<string, string>);
}

/** A connector config's table.include.list, unqualified. */
export const tablesOf = (config: Record<string, string>): string[] =>
  (config['table.include.list'] ?? '')
    .split(',')
    .map((t) => t.trim().replace(/^public\./, ''))
    .filter(Boolean);

/** One line per table, then the verdict. */
export function verifyLines(report: VerifyReport): string[] {
  const lines = [`caught up in ${report.catchUpSeconds.toFixed(1)} s; every captured topic read from the beginning`];
  const width = Math.max(...report.tables.map((t) => t.table.length));
  for (const t of report.tables) {
    lines.push(
      `${t.ok ? 'ok  ' : 'DIFF'} ${t.table.padEnd(width)}  source ${t.sourceRows} rows, ${t.events} events read, ` +
        `missing ${t.missing}, extra ${t.extra}, differing ${t.differing}, duplicates seen ${t.duplicates}`,
    );
    for (const m of t.mismatches) lines.push(`       ${m}`);
  }
  lines.push(
    report.ok
      ? `the replica rebuilt from the change events equals the source (${report.tables.length} tables)`
      : `the replica differs from the source in ${report.tables.filter((t) => !t.ok).length} table(s)`,
  );
  return lines;
}
