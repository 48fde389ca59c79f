/**
 * Stop means stop: with deltas running and a 400k-order full load holding the tables (the lanes
 * wait at its gate), POST /deltas/stop answers within a second; and the seeder process, sent
 * SIGTERM in that state, rolls the load back, stops the deltas and exits 0 within 5 s, leaving
 * nothing of the load behind.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type SeederApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { tables } from '../../src/db/tables.js';
import { adminClient, freshDatabase, rowCounts } from '../support/database.js';
import { freePort } from '../support/test-stack.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const DB = 'it_stop';
const small = { customers: 50, products: 20, orders: 100, seed: 1 };
const big = { customers: 200_000, products: 2_000, orders: 400_000, seed: 2 };

let config: Config;
let db: pg.Client;

beforeAll(async () => {
  config = await freshDatabase(DB);
  db = await adminClient(DB);
});
afterAll(async () => {
  await db?.end();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A small shop, deltas running, then the big load started and writing rows; returns its job. */
async function deltasUnderALoad(request: (method: string, url: string, body?: object) => Promise<Response>) {
  expect((await request('POST', '/full-load?wait=true', small)).status).toBe(200);
  expect((await request('POST', '/deltas/start', { ratePerSecond: 50, seed: 1 })).status).toBe(200);
  await sleep(300);
  const started = await request('POST', '/full-load', big);
  expect(started.status).toBe(202);
  const { id } = (await started.json()) as { id: string };
  for (let i = 0; i < 400; i++) {
    const job = (await (await request('GET', `/jobs/${id}`)).json()) as { rows: number; status: string };
    if (job.rows > 0) break;
    await sleep(50);
  }
  expect(((await (await request('GET', '/deltas')).json()) as { state: string }).state).toBe('paused');
  return id;
}

describe('stopping the deltas while a full load runs', () => {
  let app: SeederApp;
  afterAll(async () => app?.close());

  it('answers POST /deltas/stop within a second', async () => {
    app = await buildApp(config);
    const request = async (method: string, url: string, body?: object) => {
      const res = await app.inject({ method: method as 'GET', url, ...(body ? { payload: body } : {}) });
      return new Response(res.body, { status: res.statusCode });
    };
    const id = await deltasUnderALoad(request);
    const t0 = performance.now();
    const stopped = await request('POST', '/deltas/stop');
    const ms = performance.now() - t0;
    console.log(`POST /deltas/stop answered in ${ms.toFixed(0)} ms during a full load`);
    expect(stopped.status).toBe(200);
    expect(((await stopped.json()) as { state: string }).state).toBe('stopped');
    expect(ms).toBeLessThan(1_000);
    expect((await request('DELETE', `/jobs/${id}`)).status).toBe(200);
  }, 120_000);
});

describe('SIGTERM while deltas run and a full load holds the tables', () => {
  it('exits 0 within 5 s, with the load rolled back', async () => {
    const port = await freePort();
    const before = await rowCounts(db);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'seeder', 'src', 'main.ts')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        PG_HOST: config.db.host,
        PG_PORT: String(config.db.port),
        PG_DATABASE: DB,
        SEEDER_PG_USER: config.db.user,
        SEEDER_PG_PASSWORD: config.db.password,
        SEEDER_HOST: '127.0.0.1',
        SEEDER_PORT: String(port),
        LOG_LEVEL: 'warn',
        SEEDER_RENDER_THREADS: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const base = `http://127.0.0.1:${port}`;
    const request = (method: string, url: string, body?: object) =>
      fetch(`${base}${url}`, {
        method,
        ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
      });
    try {
      for (
        let i = 0;
        i < 200 &&
        !(await request('GET', '/ready').then(
          (r) => r.ok,
          () => false,
        ));
        i++
      )
        await sleep(100);
      await deltasUnderALoad(request);
      const t0 = performance.now();
      child.kill('SIGTERM');
      const code = await Promise.race([exited, sleep(5_000).then(() => 'still running' as const)]);
      const ms = performance.now() - t0;
      console.log(`the seeder exited ${code} ${ms.toFixed(0)} ms after SIGTERM`);
      expect(code, output).toBe(0);
      expect(ms).toBeLessThan(5_000);
    } finally {
      child.kill('SIGKILL');
    }
    // Nothing of the big load: at most the small shop, 50/s of deltas for a moment, and before.
    const after = await rowCounts(db);
    for (const t of tables) expect(after[t]!, t).toBeLessThan(before[t]! + small.orders * 4 + 500);
  }, 120_000);
});
