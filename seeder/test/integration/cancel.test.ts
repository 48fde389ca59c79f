/** DELETE /jobs/:id against the real database: a cancelled load leaves nothing behind. */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type SeederApp } from '../../src/app.js';
import { tables } from '../../src/db/tables.js';
import { adminClient, freshDatabase, rowCounts } from '../support/database.js';

let app: SeederApp;
let db: pg.Client;

beforeAll(async () => {
  app = await buildApp(await freshDatabase('it_cancel'));
  db = await adminClient('it_cancel');
});
afterAll(async () => {
  await app?.close();
  await db?.end();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const job = async (id: string) => (await app.inject({ url: `/jobs/${id}` })).json();

describe('DELETE /jobs/:id', () => {
  it('cancels a running load: it rolls back, nothing remains, and paused deltas resume', async () => {
    // A small shop first, so the deltas have something to change and the tables are not empty.
    const small = { customers: 50, products: 20, orders: 100, seed: 1 };
    expect((await app.inject({ method: 'POST', url: '/full-load?wait=true', payload: small })).statusCode).toBe(200);
    expect(
      (await app.inject({ method: 'POST', url: '/deltas/start', payload: { ratePerSecond: 20, seed: 1 } })).statusCode,
    ).toBe(200);
    await sleep(500);
    await app.inject({ method: 'POST', url: '/deltas/stop' });
    const before = await rowCounts(db);
    expect(
      (await app.inject({ method: 'POST', url: '/deltas/start', payload: { ratePerSecond: 20 } })).statusCode,
    ).toBe(200);

    // Large enough to run for many seconds; cancelled once rows are being written.
    const big = { customers: 300_000, products: 2_000, orders: 600_000, seed: 2 };
    const started = await app.inject({ method: 'POST', url: '/full-load', payload: big });
    expect(started.statusCode).toBe(202);
    const id = started.json().id as string;
    for (let i = 0; (await job(id)).rows === 0 && i < 200; i++) await sleep(50);
    expect((await job(id)).status).toBe('running');
    expect((await app.inject({ url: '/deltas' })).json().state).toBe('paused');

    const t0 = Date.now();
    const cancelled = await app.inject({ method: 'DELETE', url: `/jobs/${id}` });
    console.log(`cancel answered after ${Date.now() - t0} ms`);
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ id, status: 'cancelled', rows: 0, rowsPerTable: null });
    expect((await job(id)).status).toBe('cancelled');
    expect((await app.inject({ url: '/deltas' })).json().state).toBe('running');
    await app.inject({ method: 'POST', url: '/deltas/stop' });

    // Nothing of the big load remains: every table holds at most what the small shop and 20/s of
    // deltas for a moment can account for (the big load alone would add hundreds of thousands).
    const after = await rowCounts(db);
    for (const t of tables) expect(after[t]!, t).toBeLessThan(before[t]! + 200);
    expect(after.customers).toBeLessThan(big.customers / 100);
  });

  it('answers 409 for a finished job, naming its status', async () => {
    const done = await app.inject({
      method: 'POST',
      url: '/full-load?wait=true',
      payload: { customers: 1, products: 1, orders: 1, seed: 3 },
    });
    const id = done.json().id as string;
    const res = await app.inject({ method: 'DELETE', url: `/jobs/${id}` });
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toBe(`job ${id} has succeeded; only a running load can be cancelled`);
  });

  it('answers 404 for an unknown job and 400 for an id that is not one', async () => {
    const unknown = await app.inject({ method: 'DELETE', url: `/jobs/${randomUUID()}` });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toMatch(/^no job /);
    const bad = await app.inject({ method: 'DELETE', url: '/jobs/not-a-uuid' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('id');
  });
});
