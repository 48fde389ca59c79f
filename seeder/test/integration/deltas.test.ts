import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp, type SeederApp } from '../../src/app.js';
import { adminClient, freshDatabase } from '../support/database.js';
import { alwaysChecks, violations } from '../support/integrity.js';

let app: SeederApp;
let db: pg.Client;

beforeAll(async () => {
  app = await buildApp(await freshDatabase('it_deltas'));
  db = await adminClient('it_deltas');
});
afterAll(async () => {
  await app?.close();
  await db?.end();
});

const start = (body: object) => app.inject({ method: 'POST', url: '/deltas/start', payload: body });
const status = async () => (await app.inject({ url: '/deltas' })).json();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A shop of its own for a test (loads add to what is there). */
const fullLoad = async (seed: number) => {
  const load = await app.inject({
    method: 'POST',
    url: '/full-load?wait=true',
    payload: { customers: 500, products: 100, orders: 2000, seed },
  });
  expect(load.statusCode).toBe(200);
};
const scalar = async (sql: string) => Number(Object.values((await db.query(sql)).rows[0])[0]);

describe('deltas', () => {
  it('keeps going on an empty database by creating what it needs, and one lane breaks no constraint', async () => {
    // One lane: nobody to race with, so a foreign key or unique violation would be an action's bug.
    const res = await start({ ratePerSecond: 100, durationSeconds: 2, seed: 1, concurrency: 1 });
    expect(res.statusCode).toBe(200);
    await sleep(2_000);
    await vi.waitFor(async () => expect((await status()).state).toBe('stopped'), { timeout: 2_000, interval: 50 });
    const s = await status();
    expect(s.errors).toBe(0);
    expect(s.constraintConflicts).toBe(0);
    expect(s.conflicts).toBe(0);
    expect(await scalar('SELECT count(*) FROM customers')).toBeGreaterThan(0);
    expect(await scalar('SELECT count(*) FROM products')).toBeGreaterThan(0);
    expect(await scalar('SELECT count(*) FROM orders')).toBeGreaterThan(0);
  });

  it('produces inserts, updates and deletes on the expected tables at about the asked rate', async () => {
    await fullLoad(3);
    // Every loaded order's status: deltas move some along their life cycle. (A count of paid,
    // shipped and delivered orders could come out equal by chance: in and out balance.)
    const last = await scalar('SELECT max(id) FROM orders');
    const statuses = async () =>
      (
        await db.query(`SELECT md5(string_agg(id || ':' || status, ',' ORDER BY id)) AS h FROM orders WHERE id <= $1`, [
          last,
        ])
      ).rows[0].h as string;
    const before = await statuses();

    expect((await start({ ratePerSecond: 200, durationSeconds: 5, seed: 2 })).statusCode).toBe(200);
    const second = await start({ ratePerSecond: 10 });
    expect(second.statusCode).toBe(409);
    await sleep(5_500);
    const s = await status();
    console.log(
      `deltas at 200/s for 5 s: achieved ${s.achievedRate}/s, ${s.rowChanges} row changes in ${s.actions} actions, ${s.conflicts} conflicts`,
    );
    expect(s.state).toBe('stopped');
    expect(s.errors).toBe(0);
    expect(s.achievedRate).toBeGreaterThan(200 * 0.9);
    expect(s.achievedRate).toBeLessThan(200 * 1.1);
    const c = s.counts;
    expect(c.customers.insert).toBeGreaterThan(0);
    expect(c.orders.insert).toBeGreaterThan(0);
    expect(c.order_items.insert).toBeGreaterThan(0);
    expect(c.payments.insert).toBeGreaterThan(0);
    expect(c.shipments.insert).toBeGreaterThan(0);
    expect(c.orders.update).toBeGreaterThan(0);
    expect(c.inventory.update).toBeGreaterThan(0);
    expect(c.products.update).toBeGreaterThan(0);
    expect(c.addresses.update).toBeGreaterThan(0);
    expect(c.customers.delete + c.addresses.delete).toBeGreaterThan(0);
    expect(await statuses()).not.toBe(before);
  });

  it('keeps the data consistent while changing it', async () => {
    await fullLoad(8);
    // Checked while the generator runs (each check is one statement: one consistent snapshot).
    expect((await start({ ratePerSecond: 300, durationSeconds: 5, seed: 8 })).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) {
      await sleep(1_000);
      expect((await status()).state).toBe('running');
      expect(await violations(db, alwaysChecks)).toEqual({});
    }
    await app.inject({ method: 'POST', url: '/deltas/stop' });
    expect(await violations(db, alwaysChecks)).toEqual({});
  });

  it('stops on request and reports it', async () => {
    expect((await start({ ratePerSecond: 50 })).statusCode).toBe(200);
    await sleep(500);
    const res = await app.inject({ method: 'POST', url: '/deltas/stop' });
    expect(res.statusCode).toBe(200);
    expect(res.json().state).toBe('stopped');
    const n = res.json().rowChanges;
    await sleep(300);
    expect((await status()).rowChanges).toBe(n);
  });

  it('follows a burst profile: the target and the achieved rate rise and fall on schedule', async () => {
    await fullLoad(10);
    // 60/s, 5x for 2.5 s every 5 s: bursts at 5-7.5 s and 10-12.5 s.
    const profile = { kind: 'burst', multiplier: 5, burstSeconds: 2.5, everySeconds: 5 };
    expect((await start({ ratePerSecond: 60, durationSeconds: 12.6, seed: 10, profile })).statusCode).toBe(200);
    // Each sample's time from the generator's own start, to the millisecond (elapsedSeconds is
    // rounded to a tenth, too coarse for stretches of seconds).
    const samples: { t: number; target: number; rowChanges: number }[] = [];
    for (;;) {
      const s = await status();
      const t = (Date.now() - Date.parse(s.startedAt)) / 1000;
      if (t > 12.5) break;
      samples.push({ t, target: s.targetRate, rowChanges: s.rowChanges });
      await sleep(100);
    }
    await vi.waitFor(async () => expect((await status()).state).toBe('stopped'), { timeout: 2_000, interval: 50 });
    expect((await status()).settings.profile).toEqual(profile);
    // The target GET /deltas reports, on schedule (away from the edges).
    const targetAt = (from: number, to: number) => [
      ...new Set(samples.filter((s) => s.t > from + 0.2 && s.t < to - 0.2).map((s) => s.target)),
    ];
    expect(targetAt(0, 5)).toEqual([60]);
    expect(targetAt(5, 7.5)).toEqual([300]);
    expect(targetAt(7.5, 10)).toEqual([60]);
    expect(targetAt(10, 12.5)).toEqual([300]);
    // Row changes made by time x, between the samples around it.
    const madeBy = (x: number) => {
      const i = samples.findIndex((s) => s.t >= x);
      const b = samples[i]!;
      const a = samples[i - 1] ?? b;
      return b.t === a.t ? b.rowChanges : a.rowChanges + ((b.rowChanges - a.rowChanges) * (x - a.t)) / (b.t - a.t);
    };
    // The achieved rate in each stretch, its first and last 0.3 s left out, within 25 %.
    const achieved = (from: number, to: number) => (madeBy(to - 0.3) - madeBy(from + 0.3)) / (to - from - 0.6);
    const rates = [achieved(0, 5), achieved(5, 7.5), achieved(7.5, 10), achieved(10, 12.5)];
    console.log(`burst profile, achieved per stretch: ${rates.map((r) => r.toFixed(0)).join(', ')} changes/s`);
    [60, 300, 60, 300].forEach((target, i) => {
      expect(rates[i]).toBeGreaterThan(target * 0.75);
      expect(rates[i]).toBeLessThan(target * 1.25);
    });
    expect((await status()).errors).toBe(0);
  });

  it('pauses for a full load and resumes after it', async () => {
    expect((await start({ ratePerSecond: 100 })).statusCode).toBe(200);
    const res = await app.inject({
      method: 'POST',
      url: '/full-load',
      payload: { customers: 5000, products: 100, orders: 10000, seed: 9 },
    });
    expect(res.statusCode).toBe(202);
    expect((await status()).state).toBe('paused');
    await app.loads.wait(res.json().id);
    await sleep(300);
    expect((await status()).state).toBe('running');
    await app.inject({ method: 'POST', url: '/deltas/stop' });
  });

  it('lets the actions in flight end before a full load locks the tables, and waits for them only so long', async () => {
    // Another session holds orders against writers, so the lanes' actions that write it stay in
    // flight, holding the locks they took before. A load that locked its tables beside them could
    // deadlock with one (each waiting for a table the other holds), as it once did in CI.
    const blocker = await adminClient('it_deltas');
    const seederLocks = (mode: string) =>
      scalar(`SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
               WHERE a.datname = current_database() AND a.application_name = 'storefront-seeder'
                 AND ${mode}`);
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE orders IN SHARE MODE');
      expect((await start({ ratePerSecond: 200 })).statusCode).toBe(200);
      await vi.waitFor(async () => expect(await seederLocks('NOT l.granted')).toBeGreaterThan(0), {
        timeout: 5_000,
        interval: 50,
      });

      // The pause waits for them, not forever: after its bound the work starts beside them.
      const t0 = Date.now();
      await app.deltas.pauseWhile(async () => undefined, 300);
      expect(Date.now() - t0).toBeLessThan(2_000);
      expect(await seederLocks('NOT l.granted')).toBeGreaterThan(0);

      const res = await app.inject({
        method: 'POST',
        url: '/full-load',
        payload: { customers: 50, products: 10, orders: 100, seed: 11 },
      });
      expect(res.statusCode).toBe(202);
      await sleep(1_000);
      expect((await status()).state).toBe('paused');
      // The load has not begun taking the tables while an action still runs.
      expect(await seederLocks(`l.mode = 'ShareRowExclusiveLock'`)).toBe(0);
      await blocker.query('COMMIT');
      expect((await app.loads.wait(res.json().id)).status).toBe('succeeded');
      await vi.waitFor(async () => expect((await status()).state).toBe('running'), { timeout: 2_000, interval: 50 });
      const s = (await app.inject({ method: 'POST', url: '/deltas/stop' })).json();
      expect(s.errors).toBe(0);
      expect(s.lastError).toBeNull();
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.end();
      await app.deltas.stop();
    }
  });
});
