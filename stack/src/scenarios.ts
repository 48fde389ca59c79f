/**
 * npm run stack -- scenario <name>: changes to a running playground that are not part of its
 * baseline (scenarios/<name>/), applied while the pipeline runs, with what they did to it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { StackError, type Context } from './component.js';
import { ROOT, type StackConfig } from './config.js';
import { connector, topicOf, topicSpecs } from './cdc/connector.js';
import { tablesOf } from './cdc/verify.js';
import { connectorStatus, connectUrl } from './components/connect.js';
import { ensureTopics, sink } from './components/lakehouse.js';
import { waitForCoordinator } from './cdc/lakehouse.js';
import { superuserClient } from './components/postgres.js';
import { ccompatUrl } from './components/registry.js';
import { connectorAction, waitForCapture, waitForTasksRunning } from './operations.js';

/** The new table the schema-evolution scenario captures. */
export const NEW_TABLE = 'product_reviews';

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const body = (await res.json().catch(() => ({}))) as T & { message?: string };
  if (!res.ok)
    throw new StackError('scenario', `${init?.method ?? 'GET'} ${url}: HTTP ${res.status} ${body.message ?? ''}`);
  return body;
}

/** The SQL file with Flyway-style ${placeholders} filled from .env. */
function scenarioSql(cfg: StackConfig, file: string): string {
  const values: Record<string, string> = {
    debezium_user: cfg.env.DEBEZIUM_PG_USER,
    seeder_user: cfg.env.SEEDER_PG_USER,
  };
  return readFileSync(path.join(ROOT, 'scenarios', file), 'utf8').replace(/\$\{(\w+)\}/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new StackError('scenario', `${file}: unknown placeholder ${whole}`);
    return value;
  });
}

export interface SubjectVersions {
  subject: string;
  versions: number[];
}

export async function subjectVersions(cfg: StackConfig, subject: string): Promise<SubjectVersions> {
  const res = await fetch(`${ccompatUrl(cfg)}/subjects/${encodeURIComponent(subject)}/versions`);
  return { subject, versions: res.ok ? ((await res.json()) as number[]) : [] };
}

/** The latest value schema's row fields (the record of an envelope's `before`/`after`; Avro defines it once). */
export async function latestFields(cfg: StackConfig, subject: string): Promise<string[]> {
  const { schema } = await json<{ schema: string }>(
    `${ccompatUrl(cfg)}/subjects/${encodeURIComponent(subject)}/versions/latest`,
  );
  type Field = { name: string; type: unknown };
  const envelope = JSON.parse(schema) as { fields: Field[] };
  const record = envelope.fields
    .filter((f) => f.name === 'before' || f.name === 'after')
    .flatMap((f) => (Array.isArray(f.type) ? f.type : [f.type]))
    .find((t): t is { fields: Field[] } => typeof t === 'object' && t !== null && 'fields' in t);
  return record?.fields.map((f) => f.name) ?? [];
}

/**
 * Adds a nullable column with a default to `orders` and a new captured table `product_reviews`
 * (grants, replica identity, publication, the connector's include list), while whatever runs
 * keeps running; then writes rows that carry both, and waits until they are in Kafka.
 */
export async function schemaEvolution(ctx: Context): Promise<string[]> {
  const { cfg } = ctx;
  await waitForTasksRunning(cfg, 30_000);
  const lines: string[] = [];
  const ordersSubject = `${topicOf('orders')}-value`;
  const db = superuserClient(cfg, cfg.env.PG_DATABASE);
  await db.connect();
  let before: SubjectVersions | undefined;
  let sinkStopped = false;
  try {
    // What the registry holds before the change, once everything committed so far is in Kafka.
    await waitForCapture(db, 120_000);
    before = await subjectVersions(cfg, ordersSubject);
    await db.query('BEGIN');
    await db.query(scenarioSql(cfg, 'schema-evolution/apply.sql'));
    await db.query('COMMIT');
    lines.push(
      'applied scenarios/schema-evolution/apply.sql: orders.gift_wrap (boolean, default false), product_reviews',
    );

    // Restart the connector only once it has passed every transaction in flight. Debezium before
    // 3.7.0 resumed a transaction after the last event whose offset was committed and skipped what
    // had that LSN or less; a COPY writes many rows under one LSN (a multi-insert WAL record), so
    // a restart in the middle of a full load's transaction lost the rest of such a batch (33
    // order_items, seen here by verify; debezium/dbz#1554). The wait costs little and keeps the
    // restart clear of any stream.
    await waitForCapture(db, 120_000);
    // The connector captures the new table from now on: its include list as Connect has it
    // (the template in connectors/ stays as it is; `up` puts it back).
    const configUrl = `${connectUrl(cfg)}/connectors/${connector.name}/config`;
    const config = await json<Record<string, string>>(configUrl);
    if (!tablesOf(config).includes(NEW_TABLE)) {
      // The lakehouse sink (if the layer is up) sits the change out: stopped before the new topic
      // exists, started again with it from offset 0 once the connector captures the new table.
      // So it meets the topic with a fresh task, not by a rebalance while it writes
      // (ensureTopics), and its commit coordinator changes once, with the old one gone first
      // (waitForCoordinator): CI saw a coordinator started 0.6 s after the one before it stopped
      // never get its assignment, and nothing reached Iceberg after that. Stopped, the sink's
      // group is empty and takes offset 0 for the new topic: the sink rewinds a partition to its
      // committed offset when it drops what it has not committed (a rebalance, a failed commit),
      // and skips one without any, so the first reviews were consumed and committed but never
      // written to Iceberg (two CI runs: product_reviews empty there, its offsets at the end).
      const lakehouse = (await connectorStatus(cfg, sink.name)) !== null;
      if (lakehouse) {
        await connectorAction(cfg, 'stop', 'STOPPED', sink.name);
        sinkStopped = true;
        await waitForCoordinator(cfg, 'gone');
      }
      // Its topic first, as Debezium would create it.
      await ensureTopics(cfg, [NEW_TABLE]);
      config['table.include.list'] = `${config['table.include.list']},public.${NEW_TABLE}`;
      // Stopped first, so the task that runs afterwards is certainly the one with the new list: a
      // config change alone restarts the task asynchronously, and the old task, still RUNNING
      // for a moment, would confirm the new table's first rows without sending them.
      await connectorAction(cfg, 'stop', 'STOPPED');
      await json(configUrl, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(config),
      });
      await connectorAction(cfg, 'resume');
      await waitForTasksRunning(cfg);
      lines.push(`${connector.name}: table.include.list now ends with public.${NEW_TABLE}; restarted, RUNNING`);
      if (lakehouse) {
        const [spec] = topicSpecs([NEW_TABLE]);
        await json(`${connectUrl(cfg)}/connectors/${sink.name}/offsets`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            offsets: Array.from({ length: spec!.partitions }, (_, p) => ({
              partition: { kafka_topic: spec!.topic, kafka_partition: p },
              offset: { kafka_offset: 0 },
            })),
          }),
        });
        // From STOPPED, RUNNING is the new task's (a restart's status reads RUNNING before it).
        await connectorAction(cfg, 'resume', 'RUNNING', sink.name);
        sinkStopped = false;
        await waitForTasksRunning(cfg, 60_000, sink.name);
        await waitForCoordinator(cfg, 'one');
        lines.push(`${sink.name}: restarted with ${topicOf(NEW_TABLE)} from offset 0, RUNNING, one commit coordinator`);
      }
    }

    // Rows that carry the change: some orders gift-wrapped, a review for some products.
    const wrapped = await db.query(
      `UPDATE orders SET gift_wrap = true WHERE id IN (SELECT id FROM orders ORDER BY id DESC LIMIT 10)`,
    );
    const reviews = await db.query(
      `INSERT INTO product_reviews (product_id, customer_id, rating, body)
       SELECT p.id, (SELECT min(id) FROM customers), 1 + (p.id % 5)::int, 'Written by the schema-evolution scenario'
         FROM products p ORDER BY p.id LIMIT 20`,
    );
    lines.push(`wrote ${wrapped.rowCount} gift-wrapped orders and ${reviews.rowCount} reviews`);
    await waitForCapture(db, 120_000);
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    // A failure in between leaves the sink as it was found: running.
    if (sinkStopped) await connectorAction(cfg, 'resume', undefined, sink.name).catch(() => undefined);
    throw err;
  } finally {
    await db.end();
  }

  const after = await subjectVersions(cfg, ordersSubject);
  const fields = await latestFields(cfg, ordersSubject);
  lines.push(
    `${ordersSubject}: versions ${before?.versions.join(', ') || 'none'} -> ${after.versions.join(', ')}; latest has gift_wrap: ${fields.includes('gift_wrap')}`,
  );
  const reviewsSubject = await subjectVersions(cfg, `${topicOf(NEW_TABLE)}-value`);
  lines.push(`${reviewsSubject.subject}: versions ${reviewsSubject.versions.join(', ') || 'none'}`);
  const { compatibilityLevel } = await json<{ compatibilityLevel?: string }>(`${ccompatUrl(cfg)}/config`).catch(() => ({
    compatibilityLevel: undefined,
  }));
  lines.push(`registry compatibility level: ${compatibilityLevel ?? 'unknown'}`);
  return lines;
}

/** Every scenario by its name (its folder in scenarios/): the CLI's list and what it runs. */
export const scenarioRuns = {
  'schema-evolution': schemaEvolution,
} as const satisfies Record<string, (ctx: Context) => Promise<string[]>>;

export const scenarios = Object.keys(scenarioRuns) as (keyof typeof scenarioRuns)[];
