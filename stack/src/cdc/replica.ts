/**
 * Rebuilds tables from Debezium change events and compares them with the source, row for row and
 * column for column: the proof that the pipeline loses nothing.
 */
import { Kafka, logLevel, type EachMessagePayload } from 'kafkajs';
import pg from 'pg';
import type { Decoder } from './avro.js';
import { waitUntil } from '../processes.js';

export interface ChangeEvent {
  op: 'r' | 'c' | 'u' | 'd' | 't';
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  source: { ts_ms: number; lsn?: number | null; txId?: number | null; table: string; snapshot?: string | null };
  ts_ms?: number | null;
}

export const tableOfTopic = (topic: string) => topic.split('.').at(-1)!;

/** A row's key as text: its key columns' values in key order (Kafka's record key, the source's primary key). */
export const keyText = (values: unknown[]) => values.map((v) => String(v)).join('|');

/** One rebuilt table: its rows by key, and what arrived for it. */
export interface ReplicaTable {
  rows: Map<string, Record<string, unknown>>;
  events: number;
  /**
   * Events at or before the last position already applied for their key: redeliveries (Kafka
   * Connect delivers at least once). Applying them again in order ends in the same state.
   */
  duplicates: number;
  /** The source LSN last applied per key. */
  lastLsn: Map<string, number>;
  /** Of those, the ones after a point the caller chose (`apply(..., recent)`): a chaos run's own. */
  recentEvents: number;
  recentDuplicates: number;
}

export class Replica {
  readonly tables = new Map<string, ReplicaTable>();
  events = 0;
  readonly ops: Record<string, number> = { r: 0, c: 0, u: 0, d: 0, tombstone: 0 };

  table(name: string): ReplicaTable {
    let t = this.tables.get(name);
    if (!t)
      this.tables.set(
        name,
        (t = { rows: new Map(), events: 0, duplicates: 0, lastLsn: new Map(), recentEvents: 0, recentDuplicates: 0 }),
      );
    return t;
  }

  /** Reads, creates and updates upsert; deletes and tombstones remove. */
  apply(topic: string, key: Record<string, unknown>, value: ChangeEvent | null, recent = false): void {
    const t = this.table(tableOfTopic(topic));
    const k = keyText(Object.values(key));
    this.events++;
    t.events++;
    if (recent) t.recentEvents++;
    if (value === null) {
      this.ops.tombstone!++;
      t.rows.delete(k);
      return;
    }
    this.ops[value.op] = (this.ops[value.op] ?? 0) + 1;
    const lsn = value.source.lsn;
    if (typeof lsn === 'number') {
      const last = t.lastLsn.get(k);
      if (last !== undefined && lsn <= last) {
        t.duplicates++;
        if (recent) t.recentDuplicates++;
      } else t.lastLsn.set(k, lsn);
    }
    if (value.op === 'd') t.rows.delete(k);
    else if (value.after) t.rows.set(k, value.after);
  }
}

export interface ConsumeOptions {
  brokers: string[];
  topics: string[];
  decoder: Decoder;
  /** Called for every record, in partition order. */
  onRecord: (
    topic: string,
    key: Record<string, unknown> | null,
    value: ChangeEvent | null,
    payload: EachMessagePayload,
  ) => void;
  /** Stop once every partition has reached the end offsets seen at this moment. */
  untilCaughtUp?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Wait up to this long for the topics to exist (Debezium creates them on first write). */
  waitForTopics?: number;
  /**
   * Decode values with their subject's latest schema (`<topic>-value`), so events written before
   * a column was added carry its default, as a consumer on the newest schema reads them.
   */
  latestSchemas?: boolean;
}

/** Consumes topics from the beginning without a committed group (nothing is left behind). */
export async function consume(opts: ConsumeOptions): Promise<void> {
  const kafka = new Kafka({ clientId: 'storefront-cdc-check', brokers: opts.brokers, logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, bigint>();
  try {
    let missing: string[] = [];
    const found = await waitUntil(
      async () => {
        const existing = new Set(await admin.listTopics());
        missing = opts.topics.filter((t) => !existing.has(t));
        if (missing.length > 0) return false;
        for (const topic of opts.topics) {
          for (const p of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${p.partition}`, BigInt(p.high));
        }
        // Waiting for topics means waiting for their first records too.
        return !opts.waitForTopics || [...ends.values()].every((high) => high > 0n);
      },
      opts.waitForTopics ?? 0,
      50,
    );
    if (!found) throw new Error(`topics missing or empty: ${missing.join(', ') || opts.topics.join(', ')}`);
  } finally {
    await admin.disconnect();
  }
  const pending = new Set([...ends].filter(([, high]) => high > 0n).map(([tp]) => tp));
  const reached = new Map<string, bigint>();
  const consumer = kafka.consumer({
    groupId: `storefront-check-${process.pid}-${Date.now()}`,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  let failure: unknown;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  if (opts.untilCaughtUp && pending.size === 0) done();
  opts.signal?.addEventListener('abort', () => done());
  const timer = opts.timeoutMs
    ? setTimeout(() => {
        const behind = [...pending].map((tp) => `${tp} at ${reached.get(tp) ?? 'nothing read'} of ${ends.get(tp)}`);
        failure = new Error(`not caught up after ${opts.timeoutMs} ms; still reading ${behind.join(', ')}`);
        done();
      }, opts.timeoutMs)
    : undefined;
  try {
    await consumer.subscribe({ topics: opts.topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async (payload) => {
        const { topic, partition, message } = payload;
        try {
          const key = (await opts.decoder.decode(message.key)) as Record<string, unknown> | null;
          const value = (
            opts.latestSchemas
              ? await opts.decoder.decodeLatest(message.value, `${topic}-value`)
              : await opts.decoder.decode(message.value)
          ) as ChangeEvent | null;
          opts.onRecord(topic, key, value, payload);
        } catch (err) {
          failure = err;
          done();
          return;
        }
        const tp = `${topic}/${partition}`;
        reached.set(tp, BigInt(message.offset) + 1n);
        // A slow stretch (schema fetches, a busy machine) must not cost the group membership.
        await payload.heartbeat();
        if (opts.untilCaughtUp && BigInt(message.offset) + 1n >= (ends.get(tp) ?? 0n)) {
          pending.delete(tp);
          if (pending.size === 0) done();
        }
      },
    });
    await finished;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  if (failure) throw failure;
}

const TIMESTAMPTZ = 1184;

/** Microseconds since the epoch, from PostgreSQL's text or Debezium's ISO-8601 form. */
export function timestampMicros(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}(?::?\d{2})?)$/.exec(text);
  if (!m) return `unparsed:${text}`;
  const zone = m[4] === 'Z' ? 'Z' : m[4]!.length === 3 ? `${m[4]}:00` : m[4]!.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const seconds = BigInt(Date.parse(`${m[1]}T${m[2]}${zone}`)) / 1000n;
  return (seconds * 1_000_000n + BigInt((m[3] ?? '').padEnd(6, '0'))).toString();
}

function normalise(value: unknown, isTimestamp: boolean): unknown {
  if (value === null || value === undefined) return null;
  if (isTimestamp && typeof value === 'string') return timestampMicros(value);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return value;
}

export interface TableComparison {
  table: string;
  sourceRows: number;
  replicaRows: number;
  /** Keys in the source, not in the replica. */
  missing: number;
  /** Keys in the replica, not in the source. */
  extra: number;
  /** Rows in both whose columns differ. */
  differing: number;
  /** The first few problems, each naming the key (and column). */
  mismatches: string[];
}

/** The primary key columns of each table, in key order. */
export async function primaryKeys(client: pg.Client, tables: readonly string[]): Promise<Map<string, string[]>> {
  const { rows } = await client.query<{ table: string; columns: string[] }>(
    `SELECT c.relname AS table, array_agg(a.attname::text ORDER BY array_position(i.indkey::int2[], a.attnum)) AS columns
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (i.indkey::int2[])
      WHERE i.indisprimary AND c.relnamespace = 'public'::regnamespace AND c.relname = ANY ($1)
      GROUP BY c.relname`,
    [tables],
  );
  return new Map(rows.map((r) => [r.table, r.columns]));
}

/** Compares every row and column of the source tables with the replica; lists at most `examples` problems per table. */
export async function compareWithSource(
  client: pg.Client,
  replica: Replica,
  tables: readonly string[],
  examples = 10,
): Promise<TableComparison[]> {
  const keys = await primaryKeys(client, tables);
  const out: TableComparison[] = [];
  for (const table of tables) {
    const keyColumns = keys.get(table);
    if (!keyColumns) throw new Error(`${table} has no primary key: its change events cannot be keyed`);
    const res = await client.query({
      text: `SELECT * FROM ${table}`,
      types: { getTypeParser: (oid: number) => (oid === TIMESTAMPTZ ? (v: string) => v : pg.types.getTypeParser(oid)) },
    });
    const tsColumns = new Set(res.fields.filter((f) => f.dataTypeID === TIMESTAMPTZ).map((f) => f.name));
    const rows = replica.tables.get(table)?.rows ?? new Map<string, Record<string, unknown>>();
    const c: TableComparison = {
      table,
      sourceRows: res.rows.length,
      replicaRows: rows.size,
      missing: 0,
      extra: 0,
      differing: 0,
      mismatches: [],
    };
    const note = (m: string) => c.mismatches.length < examples && c.mismatches.push(m);
    const seen = new Set<string>();
    for (const row of res.rows as Record<string, unknown>[]) {
      const key = keyText(keyColumns.map((k) => row[k]));
      const where = `${table} ${keyColumns.join(',')}=${key}`;
      seen.add(key);
      const replicated = rows.get(key);
      if (!replicated) {
        c.missing++;
        note(`${where}: in the source, missing from the replica`);
        continue;
      }
      const differs = res.fields.filter(
        (f) => normalise(row[f.name], tsColumns.has(f.name)) !== normalise(replicated[f.name], tsColumns.has(f.name)),
      );
      if (differs.length > 0) {
        c.differing++;
        const f = differs[0]!;
        note(
          `${where}: ${differs.map((d) => d.name).join(', ')} differ (${f.name}: source ${JSON.stringify(normalise(row[f.name], tsColumns.has(f.name)))}, replica ${JSON.stringify(normalise(replicated[f.name], tsColumns.has(f.name)))})`,
        );
      }
    }
    for (const key of rows.keys()) {
      if (seen.has(key)) continue;
      c.extra++;
      note(`${table} ${keyColumns.join(',')}=${key}: in the replica, not in the source`);
    }
    out.push(c);
  }
  return out;
}
