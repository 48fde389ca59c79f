/** The database goes away and comes back: clean 503s meanwhile, and the generator resumes. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp, type SeederApp } from '../../src/app.js';
import { postgres } from '../../../stack/src/components/postgres.js';
import { freshDatabase, pgContext } from '../support/database.js';

let app: SeederApp;

beforeAll(async () => {
  app = await buildApp(await freshDatabase('it_outage'));
});
afterAll(async () => {
  await postgres.up(pgContext()); // whatever happened, leave the server up for the next file
  await app?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const status = async () => (await app.inject({ url: '/deltas' })).json();

describe('database outage', () => {
  it('answers 503 while the database is down and resumes the generator when it returns', async () => {
    expect(
      (await app.inject({ method: 'POST', url: '/deltas/start', payload: { ratePerSecond: 50 } })).statusCode,
    ).toBe(200);
    await sleep(1_000);
    const beforeOutage = (await status()).rowChanges;
    expect(beforeOutage).toBeGreaterThan(0);

    await postgres.down!(pgContext());

    const stats = await app.inject({ url: '/stats' });
    expect(stats.statusCode).toBe(503);
    expect(stats.json().message).toMatch(/database is unreachable/);
    const ready = await app.inject({ url: '/ready' });
    expect(ready.statusCode).toBe(503);
    const load = await app.inject({
      method: 'POST',
      url: '/full-load?wait=true',
      payload: { customers: 1, products: 1, orders: 1 },
    });
    expect(load.statusCode).toBe(503);
    expect(load.body).not.toMatch(/at .*\.js:\d+/); // no stack trace

    await sleep(2_000);
    const during = await status();
    expect(during.state).toBe('waiting_for_database');
    expect(during.lastError).toMatch(/database unavailable/);

    await postgres.up(pgContext());
    await vi.waitFor(
      async () => {
        const after = await status();
        expect(after.state).toBe('running');
        expect(after.rowChanges).toBeGreaterThan(during.rowChanges);
      },
      { timeout: 20_000, interval: 250 },
    );
    expect((await app.inject({ url: '/ready' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/stats' })).statusCode).toBe(200);
    await app.inject({ method: 'POST', url: '/deltas/stop' });
  });
});
