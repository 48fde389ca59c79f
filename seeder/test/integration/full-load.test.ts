import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type SeederApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
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
const count = async (table: string, client: pg.Client = db) =>
  Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

/** A fresh database of its own, with `body` loaded into it: for tests that check what a load wrote. */
async function loadedDatabase(name: string, body: object, renderThreads?: number): Promise<Config> {
  const config = await freshDatabase(name);
  const own = await buildApp(renderThreads === undefined ? config : { ...config, renderThreads });
  try {
    const res = await own.inject({ method: 'POST', url: '/full-load?wait=true', payload: body });
    expect(res.statusCode).toBe(200);
  } finally {
    await own.close();
  }
  return config;
}

const DEFAULT_LOAD = { customers: 2000, products: 300, orders: 5000, seed: 7, until: '2026-01-01T00:00:00Z' };

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
    const res = await load(DEFAULT_LOAD);
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
    await loadedDatabase('it_full_load_consistent', DEFAULT_LOAD);
    const own = await adminClient('it_full_load_consistent');
    try {
      expect(await violations(own, fullLoadChecks)).toEqual({});
      expect(await count(`orders WHERE placed_at > '2026-01-01T00:00:00Z'`, own)).toBe(0);
    } finally {
      await own.end();
    }
  });

  it('renders the same data in worker threads as on the main thread', async () => {
    // Nine chunks: above the size that renders inline, so the worker threads do the rendering.
    const load = { customers: 20_000, products: 5_000, orders: 20_000, seed: 3, until: '2026-01-01T00:00:00Z' };
    await loadedDatabase('it_full_load_inline', load, 0);
    await loadedDatabase('it_full_load_threads', load, 1);
    const inline = await fingerprint('it_full_load_inline');
    expect(await fingerprint('it_full_load_threads')).toEqual(inline);
  });

  it('gives the same data for the same seed on an empty database', async () => {
    await loadedDatabase('it_full_load_twin_a', DEFAULT_LOAD);
    await loadedDatabase('it_full_load_twin_b', DEFAULT_LOAD);
    expect(await fingerprint('it_full_load_twin_b')).toEqual(await fingerprint('it_full_load_twin_a'));
  });

  it('appends a second load after the first, with fresh ids', async () => {
    const first = { customers: 100, products: 20, orders: 200, seed: 7, until: '2026-01-01T00:00:00Z' };
    const own = await buildApp(await loadedDatabase('it_full_load_append', first));
    const c = await adminClient('it_full_load_append');
    try {
      const maxId = async (t: string) => Number((await c.query(`SELECT max(id) AS n FROM ${t}`)).rows[0].n);
      const before = { customers: await maxId('customers'), orders: await maxId('orders') };
      const res = await own.inject({
        method: 'POST',
        url: '/full-load?wait=true',
        payload: { customers: 10, products: 5, orders: 20, seed: 7, until: '2026-01-01T00:00:00Z' },
      });
      expect(res.statusCode).toBe(200);
      expect(await count('customers', c)).toBe(110);
      expect(await count('orders', c)).toBe(220);
      expect(await count('categories', c)).toBe(19); // reference data, upserted: not doubled
      expect(await maxId('customers')).toBe(before.customers + 10);
      expect(await maxId('orders')).toBe(before.orders + 20);
    } finally {
      await c.end();
      await own.close();
    }
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
