/** The view's database role (V7) against real PostgreSQL migrated by real Flyway: it reads and never writes. */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, freshDatabase, pgContext } from '../../../seeder/test/support/database.js';
import { loadViewConfig } from '../../src/config.js';
import { countRows, slotInfo, viewPool } from '../../src/sources/postgres.js';

const DB = 'it_view_role';
let pool: pg.Pool;
let admin: pg.Client;

beforeAll(async () => {
  await freshDatabase(DB);
  const e = pgContext().cfg.env;
  pool = viewPool(
    loadViewConfig({
      PG_HOST: '127.0.0.1',
      PG_PORT: String(e.PG_PORT),
      PG_DATABASE: DB,
      VIEW_PG_USER: e.VIEW_PG_USER,
      VIEW_PG_PASSWORD: e.VIEW_PG_PASSWORD,
      KAFKA_BOOTSTRAP: '127.0.0.1:1',
      REGISTRY_URL: 'http://127.0.0.1:1',
      CONNECT_URL: 'http://127.0.0.1:1',
      SEEDER_URL: 'http://127.0.0.1:1',
    }),
  );
  admin = await adminClient(DB);
});
afterAll(async () => {
  await pool?.end();
  await admin?.end();
});

describe('the pipeline view role', () => {
  it('counts the rows of every storefront table', async () => {
    await admin.query(`INSERT INTO categories (name, slug) VALUES ('Books', 'books'), ('Games', 'games')`);
    const counts = await countRows(pool, ['public.categories', 'public.customers', 'public.order_items']);
    expect(Object.fromEntries(counts)).toEqual({
      'public.categories': 2,
      'public.customers': 0,
      'public.order_items': 0,
    });
  });

  it('reads a table the schema owner creates later (a scenario), and says which it cannot read', async () => {
    await admin.query('CREATE TABLE later_table (id int PRIMARY KEY)');
    await admin.query('CREATE SCHEMA other; CREATE TABLE other.hidden (id int)');
    const counts = await countRows(pool, ['public.later_table', 'other.hidden', 'public.no_such_table']);
    expect(counts.get('public.later_table')).toBe(0);
    expect(counts.get('other.hidden')).toBe('not readable by the view’s role');
    expect(counts.get('public.no_such_table')).toBe('not readable by the view’s role');
  });

  it('reads a replication slot’s lag without any grant', async () => {
    await admin.query(`SELECT pg_create_logical_replication_slot('it_view_slot', 'pgoutput')`);
    try {
      await admin.query(`INSERT INTO categories (name, slug) VALUES ('Toys', 'toys')`);
      const slot = await slotInfo(pool, 'it_view_slot');
      expect(slot).toMatchObject({ name: 'it_view_slot', active: false });
      expect(slot!.lagBytes).toBeGreaterThan(0);
      expect(await slotInfo(pool, 'no_such_slot')).toBeNull();
    } finally {
      await admin.query(`SELECT pg_drop_replication_slot('it_view_slot')`);
    }
  });

  it('cannot write', async () => {
    await expect(pool.query(`INSERT INTO categories (name, slug) VALUES ('x', 'x')`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(pool.query('DELETE FROM customers')).rejects.toThrow(/permission denied/);
    await expect(pool.query('CREATE TABLE public.mine (id int)')).rejects.toThrow(/permission denied/);
  });
});
