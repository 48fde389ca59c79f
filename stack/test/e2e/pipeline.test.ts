/**
 * The whole pipeline as a user runs it: seed -> WAL -> Debezium -> Avro in Kafka with schemas in
 * Apicurio -> decoded by a Confluent-wire client through the registry's Confluent-compatible API
 * -> a replica rebuilt from the events equals the source, row for row.
 *
 * On the `local` backend the stack is `npm run stack -- up`; on `docker` it is the project's own
 * two compose files. Everything below talks to published ports only, so the assertions are one set.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { tables } from '../../../seeder/src/db/tables.js';
import { createDecoder } from '../../src/cdc/avro.js';
import { connector, topicOf } from '../../src/cdc/connector.js';
import { compareWithSource, consume, Replica, type ChangeEvent } from '../../src/cdc/replica.js';
import { connect } from '../../src/components/connect.js';
import { registry } from '../../src/components/registry.js';
import { ROOT, type StackConfig } from '../../src/config.js';
import { waitForCapture, waitForTasksRunning } from '../../src/operations.js';
import type { ComposeStack } from '../support/docker-backend.js';
import { contextFor, isolatedEnv, stackCli } from '../support/stack-cli.js';

const HOME = '.stack/e2e-pipeline';
const TABLES: readonly string[] = tables;
const topics = TABLES.map(topicOf);

let env: NodeJS.ProcessEnv;
let cfg: StackConfig;
let stack: ReturnType<typeof stackCli>;
let seeder: string;
let db: pg.Client;
let upStarted = 0;
const backend = inject('backend');
let compose: ComposeStack | undefined;
/** The database as Connect reaches it: this machine's port, or the compose network's postgres. */
let connectPg: { CONNECT_PG_HOST: string; CONNECT_PG_PORT: string };

/** Stops and starts one streaming component, the way each backend runs it. */
async function restartComponent(name: 'registry' | 'connect'): Promise<void> {
  if (compose) return compose.restart(name);
  const ctx = contextFor(env);
  const component = { registry, connect }[name];
  expect(await component.down!(ctx)).toMatch(/stopped|killed/);
  await sleep(name === 'registry' ? 1_000 : 2_000);
  await component.up(ctx);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const post = (url: string, body: object) =>
  fetch(`${seeder}${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const ccompat = () => `http://127.0.0.1:${cfg.env.REGISTRY_PORT}/apis/ccompat/v7`;
const brokers = () => [`127.0.0.1:${cfg.env.KAFKA_PORT}`];

async function rebuildAndCompare(label: string) {
  await waitForCapture(db);
  const replica = new Replica();
  const decoder = createDecoder(ccompat());
  await consume({
    brokers: brokers(),
    topics,
    decoder,
    untilCaughtUp: true,
    // Below the test's own timeout (240 s with the capture wait), so a stall says where it is.
    timeoutMs: 90_000,
    onRecord: (topic, key, value) => replica.apply(topic, key!, value),
  });
  const result = await compareWithSource(db, replica, TABLES);
  console.log(
    `${label}: ${replica.events} events (${Object.entries(replica.ops)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}); ` + result.map((r) => `${r.table} ${r.sourceRows}/${r.replicaRows}`).join(', '),
  );
  const mismatches = result.flatMap((r) => r.mismatches);
  expect(mismatches.slice(0, 10)).toEqual([]);
  for (const r of result) expect(r.replicaRows).toBe(r.sourceRows);
  return { replica, result };
}

beforeAll(async () => {
  env = await isolatedEnv(HOME);
  cfg = contextFor(env).cfg;
  seeder = `http://127.0.0.1:${env.SEEDER_PORT}`;
  rmSync(path.join(ROOT, HOME), { recursive: true, force: true });
  upStarted = Date.now();
  if (backend === 'docker') {
    const { composePorts, upCompose } = await import('../support/docker-backend.js');
    compose = await upCompose(Object.fromEntries(composePorts.map((k) => [k, env[k]!])));
    connectPg = { CONNECT_PG_HOST: 'postgres', CONNECT_PG_PORT: '5432' };
    // The CLI's day-two commands (reset-cdc) then register the connector for the compose network.
    env = { ...env, ...connectPg };
    console.log(`docker compose up (both files, built): ${((Date.now() - upStarted) / 1000).toFixed(1)} s`);
  } else {
    connectPg = { CONNECT_PG_HOST: '127.0.0.1', CONNECT_PG_PORT: String(cfg.env.PG_PORT) };
    const { stdout } = await stackCli(env)('up');
    console.log(stdout);
    console.log(
      `npm run stack -- up (all layers, first start of this home): ${((Date.now() - upStarted) / 1000).toFixed(1)} s`,
    );
  }
  stack = stackCli(env);
  db = new pg.Client({
    host: '127.0.0.1',
    port: cfg.env.PG_PORT,
    user: 'postgres',
    password: cfg.env.PG_PASSWORD,
    database: 'storefront',
  });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  if (backend === 'docker') await compose?.down().catch((err: unknown) => console.error(err));
  else await stack('down', '--wipe').catch((err: unknown) => console.error(err));
});

describe(`the CDC pipeline (backend ${backend})`, () => {
  it('says, without a stack trace, when a table has no topic yet', async () => {
    // Before any row exists, the snapshot wrote nothing: no topic for customers yet.
    const failed = await stack('events', 'customers', '-n', '1').then(
      () => undefined,
      (err: { code?: number; stderr?: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain(`no topic ${topicOf('customers')} yet`);
    expect(failed?.stderr).toContain('what to try:');
    expect(failed?.stderr).not.toContain('unexpected error');
  });

  it('delivers the first change to a consumer soon after up', async () => {
    const res = await post('/full-load?wait=true', { customers: 1, products: 1, orders: 1, seed: 1 });
    expect(res.status).toBe(200);
    const decoder = createDecoder(ccompat());
    let first: ChangeEvent | undefined;
    await consume({
      brokers: brokers(),
      topics: [topicOf('customers')],
      decoder,
      waitForTopics: 60_000,
      untilCaughtUp: true,
      timeoutMs: 60_000,
      onRecord: (_t, _k, value) => (first ??= value ?? undefined),
    });
    expect(first?.op).toBe('c');
    expect(first?.after).toMatchObject({ id: 1 });
    console.log(
      `up to the first change event decoded by a consumer: ${((Date.now() - upStarted) / 1000).toFixed(1)} s`,
    );
  });

  it('delivers a single change within moments of its commit', async () => {
    const decoder = createDecoder(ccompat());
    const kafka = new Kafka({ brokers: brokers(), logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `latency-${Date.now()}` });
    await consumer.connect();
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.subscribe({ topic: topicOf('customers'), fromBeginning: false });
    let seen: { event: ChangeEvent; at: number } | undefined;
    await consumer.run({
      eachMessage: async ({ message }) => {
        const event = (await decoder.decode(message.value)) as unknown as ChangeEvent | null;
        if (event?.op === 'u') seen ??= { event, at: Date.now() };
      },
    });
    await joined;
    await sleep(1_000); // the partition's starting offset is resolved after the join
    await db.query(`UPDATE customers SET phone = '+1-555-000-0000' WHERE id = 1`);
    await vi.waitFor(() => expect(seen).toBeDefined(), { timeout: 30_000, interval: 5 });
    await consumer.disconnect();
    expect(seen?.event.after).toMatchObject({ id: 1, phone: '+1-555-000-0000' });
    expect(seen?.event.before).toMatchObject({ id: 1 }); // REPLICA IDENTITY FULL: whole before-image
    expect(seen!.event.before!.phone).not.toBe('+1-555-000-0000');
    const latency = seen!.at - seen!.event.source.ts_ms;
    console.log(`one update: committed -> decoded by a consumer in ${latency} ms`);
    // Generous for a busy 2-core CI machine (p50 is tens of ms): a stuck or batching pipeline fails.
    expect(latency).toBeLessThan(5_000);
  });

  it('has a topic for every captured table whose messages decode through the Confluent-compatible API', async () => {
    const res = await post('/full-load?wait=true', { customers: 2000, products: 300, orders: 5000, seed: 7 });
    expect(res.status).toBe(200);
    await waitForCapture(db);
    const admin = new Kafka({ brokers: brokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const existing = await admin.listTopics();
    await admin.disconnect();
    for (const t of topics) expect(existing).toContain(t);
    const subjects = (await (await fetch(`${ccompat()}/subjects`)).json()) as string[];
    for (const t of topics) expect(subjects).toEqual(expect.arrayContaining([`${t}-key`, `${t}-value`]));
    await rebuildAndCompare('after a full load');
  });

  it('rebuilds tables equal to the source after a while of deltas', async () => {
    expect((await post('/deltas/start', { ratePerSecond: 200, durationSeconds: 10, seed: 5 })).status).toBe(200);
    await sleep(10_500);
    const status = (await (await fetch(`${seeder}/deltas`)).json()) as {
      state: string;
      rowChanges: number;
      achievedRate: number;
      counts: Record<string, Record<string, number>>;
    };
    expect(status.state).toBe('stopped');
    console.log(`deltas: ${status.rowChanges} row changes at ${status.achievedRate}/s`);
    const { replica } = await rebuildAndCompare('after 10 s of deltas');
    expect(replica.ops.u).toBeGreaterThan(0);
    expect(replica.ops.d).toBeGreaterThan(0);
    expect(replica.ops.tombstone).toBeGreaterThan(0);
  });

  it('loses nothing when Connect restarts during deltas and the registry restarts alone', async () => {
    expect((await post('/deltas/start', { ratePerSecond: 100, seed: 6 })).status).toBe(200);
    await sleep(2_000);
    // The registry alone: Connect keeps converting with the schemas it has cached.
    await restartComponent('registry');
    await sleep(2_000);
    // Connect, while deltas run: it resumes from its last committed offsets (at least once).
    await restartComponent('connect');
    await sleep(3_000);
    expect((await post('/deltas/stop', {})).status).toBe(200);
    // Connect resumes the connector by itself after its restart; wait for the task to run.
    await waitForTasksRunning(cfg);
    // A fresh decoder: every schema, old records' included, comes from the restarted registry.
    await rebuildAndCompare('after restarting Connect and the registry');
  });
});

describe('connect-init failure paths', () => {
  const script = path.join(ROOT, 'compose', 'connect-init.sh');
  const runInit = (extra: NodeJS.ProcessEnv) =>
    new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        'sh',
        [script],
        { cwd: ROOT, env: { ...process.env, ...cfg.raw, ...extra }, timeout: 120_000 },
        (err, _stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
      );
    });
  const templates = (files: Record<string, object>) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'connectors-'));
    for (const [name, body] of Object.entries(files))
      writeFileSync(path.join(dir, `${name}.template.json`), JSON.stringify(body));
    return dir;
  };

  it('exits non-zero, saying what to check, when Connect is unreachable', async () => {
    const r = await runInit({
      CONNECT_URL: 'http://127.0.0.1:9',
      CONNECT_INIT_TIMEOUT: '2',
      CONNECTORS_DIR: path.join(ROOT, 'connectors'),
      CONNECT_PG_HOST: '127.0.0.1',
      CONNECT_PG_PORT: '1',
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Kafka Connect is unreachable at http:\/\/127\.0\.0\.1:9 after 2s\. Is it running\?/);
  });

  it('exits non-zero naming an unset template variable, before registering anything', async () => {
    const dir = templates({ 'needs-var': { 'connector.class': 'x', 'database.hostname': '${SURELY_NOT_SET_VAR}' } });
    const r = await runInit({ CONNECT_URL: `http://127.0.0.1:${cfg.env.CONNECT_PORT}`, CONNECTORS_DIR: dir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/variable\(s\) not set: SURELY_NOT_SET_VAR/);
    const names = (await (await fetch(`http://127.0.0.1:${cfg.env.CONNECT_PORT}/connectors`)).json()) as string[];
    expect(names).not.toContain('needs-var');
  });

  it('exits non-zero with the task trace and a hint when a connector goes FAILED', async () => {
    const good = connector.template;
    // Valid config, but the publication does not exist: the task starts, then fails.
    const dir = templates({
      'broken-publication': {
        ...good,
        'publication.name': 'no_such_publication',
        'slot.name': 'broken_slot',
        'topic.prefix': 'broken',
      },
    });
    const r = await runInit({
      CONNECT_URL: `http://127.0.0.1:${cfg.env.CONNECT_PORT}`,
      CONNECTORS_DIR: dir,
      ...connectPg,
      CONNECT_INIT_TIMEOUT: '60',
    });
    await fetch(`http://127.0.0.1:${cfg.env.CONNECT_PORT}/connectors/broken-publication`, { method: 'DELETE' });
    await db.query(
      `SELECT pg_drop_replication_slot('broken_slot') FROM pg_replication_slots WHERE slot_name = 'broken_slot' AND NOT active`,
    );
    console.log(r.stderr.split('\n').slice(0, 5).join('\n'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/broken-publication: FAILED/);
    expect(r.stderr).toMatch(/The first trace:\n.*Publication autocreation is disabled/);
    expect(r.stderr).toMatch(/\n {4}at io\.debezium\./);
    expect(r.stderr).toMatch(/Common causes: .*migrations not applied/);
  });
});

describe('reset-cdc', () => {
  it('re-snapshots every table, and the replica still equals the source', async () => {
    const { stdout } = await stack('reset-cdc');
    expect(stdout).toMatch(/offsets deleted/);
    expect(stdout).toContain(`replication slot ${connector.slot}: dropped`);
    expect(stdout).toMatch(/RUNNING/);
    const rows = Number(
      (await db.query<{ n: string }>(`SELECT ${TABLES.map((t) => `(SELECT count(*) FROM ${t})`).join(' + ')} AS n`))
        .rows[0]!.n,
    );
    // The snapshot re-reads every row as an `r` event; wait until all of them are in Kafka.
    await vi.waitFor(async () => expect((await rebuildAndCompare('after reset-cdc')).replica.ops.r).toBe(rows), {
      timeout: 120_000,
      interval: 2_000,
    });
  });
});
