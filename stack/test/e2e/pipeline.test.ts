/**
 * The whole pipeline as a user runs it: seed -> WAL -> Debezium -> Avro in Kafka with schemas in
 * Apicurio -> decoded by a Confluent-wire client through the registry's Confluent-compatible API
 * -> a replica rebuilt from the events equals the source, row for row.
 *
 * On the `local` backend the stack is `npm run stack -- up`; on `docker` it is the project's own
 * two compose files. Everything below talks to published ports only, so the assertions are one set.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { tables } from '../../../seeder/src/db/tables.js';
import { createDecoder } from '../../src/cdc/avro.js';
import { connector, topicOf, topicSpecs } from '../../src/cdc/connector.js';
import { consume, type ChangeEvent } from '../../src/cdc/replica.js';
import { endOffsets, totalEvents, verifyPipeline } from '../../src/cdc/verify.js';
import { coordinatorGroup, coordinatorGroupState } from '../../src/cdc/lakehouse.js';
import { chaosTargets } from '../../src/chaos.js';
import { connect } from '../../src/components/connect.js';
import { sink } from '../../src/components/lakehouse.js';
import { registry } from '../../src/components/registry.js';
import { ROOT, type StackConfig } from '../../src/config.js';
import { runningPid } from '../../src/processes.js';
import { waitForCapture, waitForTasksRunning } from '../../src/operations.js';
import type { ComposeStack } from '../support/docker-backend.js';
import { claimHome, contextFor, isolatedEnv, stackCli } from '../support/stack-cli.js';

const HOME = '.stack/e2e-pipeline';
const TABLES: readonly string[] = tables;
const topics = TABLES.map(topicOf);

let env: NodeJS.ProcessEnv;
let cfg: StackConfig;
let stack: ReturnType<typeof stackCli>;
let seeder: string;
let db: pg.Client;
let upStarted = 0;
let releaseHome: (() => void) | undefined;
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

/** `npm run stack -- verify`, the same code: the replica rebuilt from the topics equals the source. */
async function rebuildAndCompare(label: string) {
  // Below the test's own timeout (240 s with the capture wait), so a stall says where it is.
  const report = await verifyPipeline(cfg, db, { catchUpTimeoutMs: 60_000, readTimeoutMs: 90_000 });
  const { replica } = report;
  console.log(
    `${label}: ${replica.events} events (${Object.entries(replica.ops)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}); ` + report.tables.map((r) => `${r.table} ${r.sourceRows}/${r.replicaRows}`).join(', '),
  );
  expect(report.tables.flatMap((r) => r.mismatches).slice(0, 10)).toEqual([]);
  for (const r of report.tables) expect(r.replicaRows).toBe(r.sourceRows);
  expect(report.ok).toBe(true);
  return { replica, result: report.tables };
}

beforeAll(async () => {
  env = await isolatedEnv(HOME);
  cfg = contextFor(env).cfg;
  seeder = `http://127.0.0.1:${env.SEEDER_PORT}`;
  releaseHome = await claimHome(env);
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
    // `fetch` fills a downloads folder of this stack's own; then `up` runs with Maven offline (-o)
    // on an empty Maven repository and pip without an index: if `up` still needed one download,
    // it would fail here.
    env = { ...env, STACK_LIB: path.join(ROOT, HOME, 'lib') };
    const fetched = await stackCli(env)('fetch');
    console.log(fetched.stdout);
    expect(fetched.stdout).toMatch(/^stack: up needs no network now$/m);
    const offline = {
      ...env,
      MAVEN_ARGS: '-o',
      MAVEN_OPTS: `-Dmaven.repo.local=${path.join(ROOT, HOME, 'empty-m2')}`,
      PIP_NO_INDEX: '1',
    };
    upStarted = Date.now();
    const { stdout } = await stackCli(offline)('up');
    console.log(stdout);
    expect(stdout).not.toMatch(/first run:/);
    expect(stdout).toMatch(/^stack: ready\.$/m);
    console.log(
      `npm run stack -- up (all layers, offline after fetch, first start of this home): ${((Date.now() - upStarted) / 1000).toFixed(1)} s`,
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
}, 600_000);

afterAll(async () => {
  releaseHome?.();
  await db?.end();
  if (backend === 'docker') await compose?.down().catch((err: unknown) => console.error(err));
  else {
    await stack('down', '--wipe').catch((err: unknown) => console.error(err));
    rmSync(path.join(ROOT, HOME), { recursive: true, force: true });
  }
});

describe(`the CDC pipeline (backend ${backend})`, () => {
  it("has every captured table's topic, empty and as Debezium would create it, before the first row", async () => {
    // The lakehouse layer creates them before its sink subscribes, so the sink's consumer group
    // never rebalances while it writes (connectors/README.md, topics.regex).
    const admin = new Kafka({ brokers: brokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const specs = topicSpecs();
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: specs.map((s) => ({ type: ConfigResourceTypes.TOPIC, name: s.topic })),
      });
      for (const spec of specs) {
        expect(metadata.find((m) => m.name === spec.topic)?.partitions).toHaveLength(spec.partitions);
        const offsets = await admin.fetchTopicOffsets(spec.topic);
        expect(offsets.every((o) => o.high === '0')).toBe(true);
        const entries = configs.resources.find((r) => r.resourceName === spec.topic)!.configEntries;
        for (const [name, value] of Object.entries(spec.configs))
          expect(entries.find((e) => e.configName === name)?.configValue).toBe(value);
      }
    } finally {
      await admin.disconnect();
    }
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
      autoCommit: false, // a group of its own, thrown away
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

  it.runIf(backend === 'local')(
    "runs the seeder and the view with no other role's password in their environment",
    async () => {
      // What the kernel says each process was started with (docker-compose.*.yaml: compose-agreement.test.ts).
      const own = { seeder: 'SEEDER_PG_PASSWORD', view: 'VIEW_PG_PASSWORD' } as const;
      for (const [name, password] of Object.entries(own)) {
        const pid = runningPid(cfg, name)?.pid;
        expect(pid, name).toBeGreaterThan(0);
        const keys = readFileSync(`/proc/${pid}/environ`, 'utf8')
          .split('\0')
          .map((kv) => kv.slice(0, kv.indexOf('=')));
        expect(keys, name).toContain(password);
        expect(keys.filter((k) => k.endsWith('PASSWORD') && k !== password)).toEqual([]);
      }
    },
  );

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

  it('rebuilds tables equal to the source after a while of deltas with a flash sale in it', async () => {
    // 200 changes/s, and 10x that from 5 s to 8 s: a burst profile (POST /deltas/start's profile).
    const profile = { kind: 'burst', multiplier: 10, burstSeconds: 3, everySeconds: 5 };
    expect((await post('/deltas/start', { ratePerSecond: 200, durationSeconds: 10, seed: 5, profile })).status).toBe(
      200,
    );
    await sleep(10_500);
    const status = (await (await fetch(`${seeder}/deltas`)).json()) as {
      state: string;
      rowChanges: number;
      achievedRate: number;
      counts: Record<string, Record<string, number>>;
    };
    expect(status.state).toBe('stopped');
    console.log(`deltas: ${status.rowChanges} row changes at ${status.achievedRate}/s`);
    // More than 10 s at 200/s could make: the burst happened.
    expect(status.rowChanges).toBeGreaterThan(2_000 * 1.5);
    const { replica } = await rebuildAndCompare('after 10 s of deltas with a burst');
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

  it("loses nothing when the connector restarts while it streams a full load's transaction", async () => {
    // A full load COPYs its rows: PostgreSQL logs up to 1,000 of them as one WAL record, so their
    // change events share one WAL position. Debezium before 3.7.0 counted such a position done at
    // its first event: a connector stopped in the middle of one skipped the rest of it when it
    // came back (debezium/dbz#1554). Here, 3.6.3 lost 103 order_items of a 30x load.
    const events = async () => totalEvents(await endOffsets(cfg));
    const before = await events();
    const load = await post('/full-load?wait=true', { customers: 4000, products: 600, orders: 10000, seed: 7 });
    expect(load.status).toBe(200);
    const { rows } = (await load.json()) as { rows: number };
    // Restart once the load's events are streaming, well before the last of them.
    await vi.waitFor(async () => expect(await events()).toBeGreaterThan(before + 2_000n), {
      timeout: 30_000,
      interval: 20,
    });
    const restart = await fetch(`${connectApi()}/connectors/${connector.name}/restart?includeTasks=true`, {
      method: 'POST',
    });
    expect(restart.status).toBe(202);
    const streamed = await events();
    console.log(`connector restarted after ${streamed - before} of the load's ${rows} change events`);
    expect(streamed).toBeLessThan(before + BigInt(rows));
    // 202: the restart is under way; its status reads RUNNING until Connect takes it up.
    await sleep(3_000);
    await waitForTasksRunning(cfg);
    await rebuildAndCompare("after a connector restart in a full load's stream");
  });
});

const connectInitScript = path.join(ROOT, 'compose', 'connect-init.sh');
/** compose/connect-init.sh as the compose service and the stack run it, with `extra` on top. */
const runInit = (extra: NodeJS.ProcessEnv) =>
  new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(
      'sh',
      [connectInitScript],
      { cwd: ROOT, env: { ...process.env, ...cfg.raw, ...extra }, timeout: 120_000 },
      (err, _stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });
/** A folder of connector templates; each is named by its key (its "name" setting). */
const templates = (files: Record<string, object>) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'connectors-'));
  for (const [name, body] of Object.entries(files))
    writeFileSync(path.join(dir, `${name}.template.json`), JSON.stringify({ ...body, name }));
  return dir;
};
const connectApi = () => `http://127.0.0.1:${cfg.env.CONNECT_PORT}`;
const listConnectors = async () => (await (await fetch(`${connectApi()}/connectors`)).json()) as string[];

describe('connect-init failure paths', () => {
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

describe("the original README's connector commands", () => {
  const NAME = 'storefront-postgres-connector';

  it('list, delete and re-create through connect-init, which says the old offsets mean no new snapshot', async () => {
    expect(connector.name).toBe(NAME);
    // curl http://localhost:8083/connectors
    expect(await listConnectors()).toContain(NAME);
    const before = await rebuildAndCompare('before deleting the connector');
    // curl -X DELETE http://localhost:8083/connectors/storefront-postgres-connector
    expect((await fetch(`${connectApi()}/connectors/${NAME}`, { method: 'DELETE' })).status).toBe(204);
    expect(await listConnectors()).not.toContain(NAME);

    // Re-run connect-init: `npm run stack -- up` here, the compose service's script with Docker.
    const output = compose
      ? (await runInit({ CONNECT_URL: connectApi(), CONNECTORS_DIR: path.join(ROOT, 'connectors'), ...connectPg }))
          .stderr
      : (await stack('up', 'streaming')).stdout;
    console.log(
      output
        .split('\n')
        .filter((l) => l.includes('connect-init'))
        .join('\n'),
    );
    expect(output).toMatch(/kept this connector's offsets from before it was deleted, .* NO new snapshot/);
    expect(output).toMatch(/reset-cdc/);
    await waitForTasksRunning(cfg);
    expect(await listConnectors()).toContain(NAME);

    // As it said: a change made now arrives, and no snapshot (`r`) event was added.
    await db.query(`UPDATE customers SET phone = '+1-555-000-0001' WHERE id = (SELECT min(id) FROM customers)`);
    const after = await rebuildAndCompare('after re-creating the connector');
    expect(after.replica.ops.r).toBe(before.replica.ops.r);
    expect(after.replica.ops.u).toBeGreaterThan(before.replica.ops.u ?? 0);
  });

  it('connect-init retires a connector registered under an earlier name for the same slot', async () => {
    const body = {
      ...connector.template,
      'slot.name': 'renamed_slot',
      'topic.prefix': 'renamed',
      'snapshot.mode': 'no_data',
    };
    const run = (name: string) =>
      runInit({ CONNECT_URL: connectApi(), CONNECTORS_DIR: templates({ [name]: body }), ...connectPg });
    try {
      expect((await run('earlier-name')).code).toBe(0);
      const r = await run('later-name');
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(
        /note: earlier-name: deleted; later-name replaces it \(same replication slot renamed_slot/,
      );
      const names = await listConnectors();
      expect(names).toContain('later-name');
      expect(names).not.toContain('earlier-name');
      expect(names).toContain(NAME); // another slot: left alone
    } finally {
      for (const name of ['earlier-name', 'later-name'])
        await fetch(`${connectApi()}/connectors/${name}`, { method: 'DELETE' });
      await vi.waitFor(
        async () =>
          expect(
            (
              await db.query(
                `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'renamed_slot' AND NOT active`,
              )
            ).rowCount,
          ).toBe(1),
        { timeout: 30_000, interval: 500 },
      );
    }
  });
});

describe('npm run stack -- verify', () => {
  const verify = (...args: string[]) =>
    stack('verify', ...args).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({
        code: err.code ?? -1,
        stdout: err.stdout ?? '',
        stderr: err.stderr ?? '',
      }),
    );

  it('prints one line per table and exits 0 when the replica equals the source; --json for machines', async () => {
    const text = await verify();
    console.log(text.stdout);
    expect(text.code).toBe(0);
    for (const table of TABLES)
      expect(text.stdout).toMatch(
        new RegExp(
          `^ok {3}${table} +source \\d+ rows, \\d+ events read, missing 0, extra 0, differing 0, duplicates seen \\d+$`,
          'm',
        ),
      );
    expect(text.stdout).toMatch(/the replica rebuilt from the change events equals the source \(9 tables\)/);
    const json = await verify('--json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { ok: boolean; tables: { table: string; sourceRows: number }[] };
    expect(report.ok).toBe(true);
    expect(report.tables.map((t) => t.table)).toEqual([...TABLES]);
  });

  it('says the connector is paused, with what to do, instead of reporting a mismatch', async () => {
    await fetch(`${connectApi()}/connectors/${connector.name}/pause`, { method: 'PUT' });
    try {
      await vi.waitFor(
        async () => {
          const s = (await (await fetch(`${connectApi()}/connectors/${connector.name}/status`)).json()) as {
            connector: { state: string };
          };
          expect(s.connector.state).toBe('PAUSED');
        },
        { timeout: 30_000, interval: 500 },
      );
      await db.query(`UPDATE categories SET name = name WHERE id = (SELECT min(id) FROM categories)`);
      const r = await verify();
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/could not verify: storefront-postgres-connector is PAUSED/);
      expect(r.stderr).toMatch(
        /what to try: resume it: curl -X PUT http:\/\/127\.0\.0\.1:\d+\/connectors\/storefront-postgres-connector\/resume/,
      );
      expect(r.stdout).not.toMatch(/DIFF/);
    } finally {
      await fetch(`${connectApi()}/connectors/${connector.name}/resume`, { method: 'PUT' });
      await waitForTasksRunning(cfg);
    }
  });

  it('finds a change the stream could not see, names the table, key and column, and exits 1', async () => {
    // A table out of the publication for a moment: the update made then never reaches Debezium.
    const { rows } = await db.query<{ id: number; name: string }>(
      'SELECT id::int, name FROM categories ORDER BY id LIMIT 1',
    );
    const { id, name } = rows[0]!;
    await db.query('ALTER PUBLICATION storefront_cdc DROP TABLE categories');
    try {
      await db.query(`UPDATE categories SET name = name || ' (unseen)' WHERE id = $1`, [id]);
    } finally {
      await db.query('ALTER PUBLICATION storefront_cdc ADD TABLE categories');
    }
    try {
      const r = await verify();
      console.log(r.stdout);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^DIFF categories +source 19 rows, \d+ events read, missing 0, extra 0, differing 1/m);
      expect(r.stdout).toContain(
        `categories id=${id}: name, updated_at differ (name: source "${name} (unseen)", replica "${name}")`,
      );
      expect(r.stdout).toMatch(/the replica differs from the source in 1 table\(s\)/);
    } finally {
      // A change the stream sees puts the row right again in every replica.
      await db.query('UPDATE categories SET name = $2 WHERE id = $1', [id, name]);
    }
    expect((await verify()).code).toBe(0);
  });
});

// CI kills these two; CHAOS_COMPONENTS=all (or a list) kills more, one after another.
const wanted = process.env.CHAOS_COMPONENTS ?? 'connect,kafka';
const targets = wanted === 'all' ? [...chaosTargets] : wanted.split(',');

describe('npm run stack -- chaos', () => {
  it.runIf(backend === 'local').each(targets)(
    'kills %s with SIGKILL under deltas, brings it back, and loses no change',
    async (target) => {
      const { stdout } = await stack('chaos', target, '--rate', '100', '--seconds', '15');
      console.log(stdout);
      expect(stdout).toMatch(
        new RegExp(`^${target}: down [\\d.]+ s \\(kill to healthy\\), stream caught up [\\d.]+ s after the kill$`, 'm'),
      );
      expect(stdout).toMatch(/^ {2}changes lost: 0; duplicates delivered: \d+ \(at least once\)$/m);
      expect(stdout).toMatch(/ok: the replica rebuilt from the change events equals the source/);
    },
  );
});

describe('the lakehouse (Iceberg change tables)', () => {
  interface Report {
    ok: boolean;
    tables: { table: string; sourceRows: number; changes: number; snapshots: number; duplicateOffsets: number }[];
  }

  it('verify --lakehouse: every table rebuilt from its Iceberg change table equals the source, after Connect was killed under deltas, with no Kafka record written twice', async () => {
    // The chaos runs above SIGKILLed Connect (and Kafka) while deltas ran, with changes the sink
    // had written but not committed; on a run without them, kill Connect here the same way.
    if (backend === 'local' && !targets.includes('connect')) {
      const { stdout } = await stack('chaos', 'connect', '--rate', '100', '--seconds', '15');
      console.log(stdout);
    }
    const { stdout, stderr } = await stack('verify', '--lakehouse').catch(
      (err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }),
    );
    console.log(stdout, stderr);
    for (const table of TABLES)
      expect(stdout).toMatch(
        new RegExp(
          `^ok {3}${table} +source \\d+ rows, lakehouse\\.${table}_changes: \\d+ changes in \\d+ snapshots, missing 0, extra 0, differing 0, offsets written twice 0$`,
          'm',
        ),
      );
    expect(stdout).toMatch(/the current state rebuilt from the Iceberg change tables equals the source \(9 tables\)/);
    const report = JSON.parse((await stack('verify', '--lakehouse', '--json')).stdout) as Report;
    expect(report.ok).toBe(true);
    expect(report.tables.map((t) => t.table)).toEqual([...TABLES]);
    for (const t of report.tables) {
      // Exactly once from Kafka to Iceberg: no offset twice, though Connect died mid-commit.
      expect(t.duplicateOffsets).toBe(0);
      // An append-only log of changes: at least one per row there is, in one snapshot per commit.
      expect(t.changes).toBeGreaterThanOrEqual(t.sourceRows);
    }
    expect(Math.max(...report.tables.map((t) => t.snapshots))).toBeGreaterThan(1);
    // `status` shows the layer by its sink.
    expect((await stack('status')).stdout).toMatch(
      new RegExp(`^lakehouse-init +up +${sink.name} RUNNING \\(tasks: RUNNING\\), a commit every 5 s into /`, 'm'),
    );
  });

  it('verify --lakehouse says the sink is paused, with what to do, instead of reporting a mismatch', async () => {
    const url = `http://127.0.0.1:${cfg.env.CONNECT_PORT}/connectors/${sink.name}`;
    expect((await fetch(`${url}/pause`, { method: 'PUT' })).status).toBe(202);
    try {
      await vi.waitFor(
        async () =>
          expect(
            ((await (await fetch(`${url}/status`)).json()) as { connector: { state: string } }).connector.state,
          ).toBe('PAUSED'),
        { timeout: 30_000, interval: 200 },
      );
      const failed = await stack('verify', '--lakehouse').then(
        () => undefined,
        (err: { code?: number; stderr?: string }) => err,
      );
      expect(failed?.code).toBe(2);
      expect(failed?.stderr).toContain(`${sink.name} is PAUSED`);
      expect(failed?.stderr).toContain('what to try:');
    } finally {
      expect((await fetch(`${url}/resume`, { method: 'PUT' })).status).toBe(202);
    }
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

// Last: it changes the schema for good (a new column, a new captured table).
describe('scenario schema-evolution', () => {
  it('adds a column with a default and a captured table while deltas run; verify passes across the change', async () => {
    expect((await post('/deltas/start', { ratePerSecond: 100, seed: 12 })).status).toBe(200);
    const output = await stack('scenario', 'schema-evolution').then(
      (r) => r.stdout,
      (err: { stderr?: string }) => `failed: ${err.stderr ?? String(err)}`,
    );
    expect((await post('/deltas/stop', {})).status).toBe(200);
    console.log(output);
    // A new schema version under the topic's subject, carrying the column; the new table's subject.
    expect(output).toMatch(/storefront\.public\.orders-value: versions 1 -> 1, 2; latest has gift_wrap: true/);
    expect(output).toMatch(/storefront\.public\.product_reviews-value: versions 1$/m);
    expect(output).toMatch(/registry compatibility level: BACKWARD/);
    // The sink sat the change out and came back with one commit coordinator, the old one gone.
    expect(output).toContain(
      `${sink.name}: restarted with ${topicOf('product_reviews')} from offset 0, RUNNING, one commit coordinator`,
    );
    // Old events (no gift_wrap) and new ones rebuild orders equal to the source, where every old
    // row reads the default; the new table has a topic and equals its source too.
    const report = await verifyPipeline(cfg, db);
    console.log(report.tables.map((t) => `${t.table} ${t.sourceRows}/${t.replicaRows}`).join(', '));
    expect(report.tables.flatMap((t) => t.mismatches)).toEqual([]);
    expect(report.tables.map((t) => t.table)).toContain('product_reviews');
    expect(report.tables.find((t) => t.table === 'product_reviews')!.sourceRows).toBe(20);
    expect(report.ok).toBe(true);
    // An event written before the column decodes with its own schema, without the field.
    const decoder = createDecoder(ccompat());
    let old: ChangeEvent | undefined;
    await consume({
      brokers: brokers(),
      topics: [topicOf('orders')],
      decoder,
      untilCaughtUp: true,
      timeoutMs: 60_000,
      onRecord: (_t, _k, value) => (old ??= value ?? undefined),
    });
    expect(old?.after).toBeDefined();
    expect(old!.after).not.toHaveProperty('gift_wrap');
    // The lakehouse: the sink found the new table's topic and created its Iceberg table, and added
    // the column to orders_changes. Iceberg knows no default for it: an order unchanged since reads
    // null there, false in the source, and verify --lakehouse says exactly that, nothing else.
    const lakehouse = await stack('verify', '--lakehouse', '--json').then(
      (r) => r.stdout,
      (err: { stdout?: string }) => err.stdout ?? '',
    );
    const lh = JSON.parse(lakehouse) as {
      tables: { table: string; ok: boolean; sourceRows: number; differing: number; mismatches: string[] }[];
    };
    const reviews = lh.tables.find((t) => t.table === 'product_reviews');
    // The whole row on failure (missing, extra, differing, snapshots, the first mismatches): a CI
    // run failed here once with only "ok: false" to go on; and what Connect's log says of the
    // sink and the table (the stack's logs are wiped after the run).
    const sinkLog = () =>
      compose
        ? '(docker backend: docker compose logs connect)'
        : readFileSync(path.join(cfg.dirs.logs, 'connect.log'), 'utf8')
            .split('\n')
            .filter((l) =>
              /product_reviews|Commit \S+ (failed|not ready)|Table not found|Skipping commits|timeout reached|leader|Finished assignment/i.test(
                l,
              ),
            )
            .slice(-40)
            .join('\n');
    expect(
      reviews,
      reviews?.ok
        ? ''
        : `verify --lakehouse, product_reviews: ${JSON.stringify(reviews)}\n` +
            `${coordinatorGroup}: ${JSON.stringify(await coordinatorGroupState(cfg).catch(String))}\n${sinkLog()}`,
    ).toMatchObject({
      ok: true,
      sourceRows: 20,
    });
    for (const t of lh.tables.filter((x) => x.table !== 'orders')) expect(t.ok, t.table).toBe(true);
    const orders = lh.tables.find((t) => t.table === 'orders')!;
    for (const m of orders.mismatches)
      expect(m).toMatch(/: gift_wrap differ \(gift_wrap: source false, replica null\)$/);
    console.log(
      `lakehouse after the scenario: orders differing only in gift_wrap (null in Iceberg): ${orders.differing}`,
    );
  });
});
