import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type SeederApp } from '../../src/app.js';
import { tables } from '../../src/db/tables.js';
import { adminClient, freshDatabase } from '../support/database.js';
import { fullLoadChecks, violations } from '../support/integrity.js';

let app: SeederApp;
let db: pg.Client;

beforeAll(async () => {
  const config = await freshDatabase('it_full_load');
  app = await buildApp(config);
  db = await adminClient('it_full_load');
});
afterAll(async () => {
  await app?.close();
  await db?.end();
});

const load = (body: object, wait = true) =>
  app.inject({ method: 'POST', url: `/full-load${wait ? '?wait=true' : ''}`, payload: body });
const count = async (table: string) => Number((await db.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
const scalar = async (sql: string) => Number(Object.values((await db.query(sql)).rows[0])[0]);

/** A hash of every table's rows in id order: equal hashes, equal data. */
async function fingerprint(database: string): Promise<string[]> {
  const c = await adminClient(database);
  try {
    const parts: string[] = [];
    for (const t of tables.filter((x) => x !== 'categories')) {
      const cols = t === 'inventory' ? 'product_id' : 'id';
      const r = await c.query(`SELECT md5(string_agg(x::text, ',' ORDER BY x.${cols})) AS h FROM ${t} x`);
      parts.push(`${t}:${r.rows[0].h}`);
    }
    return parts;
  } finally {
    await c.end();
  }
}

describe('POST /full-load', () => {
  it('lands exactly the requested customers, products and orders', async () => {
    const res = await load({ customers: 2000, products: 300, orders: 5000, seed: 7, until: '2026-01-01T00:00:00Z' });
    expect(res.statusCode).toBe(200);
    const job = res.json();
    expect(job).toMatchObject({ status: 'succeeded', percent: 100 });
    expect(await count('customers')).toBe(2000);
    expect(await count('products')).toBe(300);
    expect(await count('inventory')).toBe(300);
    expect(await count('orders')).toBe(5000);
    expect(job.rowsPerTable.orders).toBe(5000);
    expect(job.rows).toBe((await app.inject({ url: '/stats' })).json().total);
    console.log(`full load 2000/300/5000: ${job.rows} rows in ${job.elapsedSeconds} s = ${job.rowsPerSecond} rows/s`);
  });

  it('writes a consistent dataset: valid references, totals and payments that match', async () => {
    expect(await violations(db, fullLoadChecks)).toEqual({});
    expect(await scalar(`SELECT count(*) FROM orders WHERE placed_at > '2026-01-01T00:00:00Z'`)).toBe(0);
  });

  it('renders the same data in worker threads as on the main thread', async () => {
    // Nine chunks: above the size that renders inline, so the worker threads do the rendering.
    const load = { customers: 20_000, products: 5_000, orders: 20_000, seed: 3, until: '2026-01-01T00:00:00Z' };
    for (const [name, renderThreads] of [
      ['it_full_load_inline', 0],
      ['it_full_load_threads', 1],
    ] as const) {
      const app = await buildApp({ ...(await freshDatabase(name)), renderThreads });
      try {
        const res = await app.inject({ method: 'POST', url: '/full-load?wait=true', payload: load });
        expect(res.statusCode).toBe(200);
      } finally {
        await app.close();
      }
    }
    const inline = await fingerprint('it_full_load_inline');
    expect(await fingerprint('it_full_load_threads')).toEqual(inline);
  });

  it('gives the same data for the same seed on an empty database', async () => {
    const other = await freshDatabase('it_full_load_twin');
    const twin = await buildApp(other);
    try {
      const res = await twin.inject({
        method: 'POST',
        url: '/full-load?wait=true',
        payload: { customers: 2000, products: 300, orders: 5000, seed: 7, until: '2026-01-01T00:00:00Z' },
      });
      expect(res.statusCode).toBe(200);
    } finally {
      await twin.close();
    }
    const a = await fingerprint('it_full_load');
    const b = await fingerprint('it_full_load_twin');
    expect(b).toEqual(a);
  });

  it('appends a second load after the first, with fresh ids', async () => {
    const res = await load({ customers: 10, products: 5, orders: 20, seed: 7, until: '2026-01-01T00:00:00Z' });
    expect(res.statusCode).toBe(200);
    expect(await count('customers')).toBe(2010);
    expect(await count('orders')).toBe(5020);
    expect(await scalar(`SELECT count(*) FROM categories`)).toBe(19);
  });

  it('refuses a second load while one runs, with 409', async () => {
    const first = await load({ customers: 20_000, products: 500, orders: 40_000, seed: 1 }, false);
    expect(first.statusCode).toBe(202);
    expect(first.headers.location).toBe(`/jobs/${first.json().id}`);
    const second = await load({ customers: 1, products: 1, orders: 1 }, false);
    expect(second.statusCode).toBe(409);
    expect(second.json().message).toContain(first.json().id);
    // Progress is visible while it runs, and the job ends in success.
    let job = (await app.inject({ url: `/jobs/${first.json().id}` })).json();
    while (job.status === 'running') {
      expect(job.percent).toBeGreaterThanOrEqual(0);
      expect(job.percent).toBeLessThanOrEqual(100);
      await new Promise((r) => setTimeout(r, 100));
      job = (await app.inject({ url: `/jobs/${first.json().id}` })).json();
    }
    expect(job.status).toBe('succeeded');
    expect(job.rowsPerSecond).toBeGreaterThan(0);
  });

  it('leaves nothing half-written when a load fails', async () => {
    const before = (await app.inject({ url: '/stats' })).json().rows;
    // Failure injection: a trigger that fails the load at its very last table.
    await db.query(
      `CREATE FUNCTION fail_load() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`,
    );
    await db.query(
      `CREATE TRIGGER fail_load BEFORE INSERT ON shipments FOR EACH STATEMENT EXECUTE FUNCTION fail_load()`,
    );
    try {
      const res = await load({ customers: 300, products: 30, orders: 3000, seed: 2 });
      expect(res.statusCode).toBe(500);
      const message: string = res.json().message;
      expect(message).toMatch(/rolled back, nothing was written/);
      const jobUrl = /GET (\/jobs\/[0-9a-f-]+)/.exec(message)![1]!;
      const job = (await app.inject({ url: jobUrl })).json();
      expect(job.status).toBe('failed');
      expect(job.error).toContain('injected failure');
    } finally {
      await db.query('DROP TRIGGER fail_load ON shipments');
      await db.query('DROP FUNCTION fail_load()');
    }
    expect((await app.inject({ url: '/stats' })).json().rows).toEqual(before);
  });
});
