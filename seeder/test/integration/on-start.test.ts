/** SEED_ON_START and DELTAS_ON_START: the same rules as the API (defaults, the pool's cap on lanes). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type SeederApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { defaultMix } from '../../src/deltas/generator.js';
import { populateOnStart } from '../../src/populate.js';
import { freshDatabase } from '../support/database.js';

let app: SeederApp;
let config: Config;

beforeAll(async () => {
  const base = await freshDatabase('it_on_start');
  // A pool of 3 leaves room for one delta lane (one connection for a load, one for reads).
  config = {
    ...base,
    db: { ...base.db, poolSize: 3 },
    seedOnStart: { customers: 20, products: 5, orders: 30, seed: 1 },
    deltasOnStart: 5,
  };
  app = await buildApp(config);
});
afterAll(async () => {
  await app?.close();
});

describe('populating on start', () => {
  it('loads, then starts deltas with the default mix and no more lanes than the pool allows', async () => {
    await populateOnStart(app, config);
    const stats = (await app.inject({ url: '/stats' })).json();
    expect(stats.rows.customers).toBeGreaterThanOrEqual(20);
    const status = (await app.inject({ url: '/deltas' })).json();
    expect(status.state).toBe('running');
    expect(status.settings).toMatchObject({ ratePerSecond: 5, concurrency: 1, mix: defaultMix });
    await app.inject({ method: 'POST', url: '/deltas/stop' });
  });

  it('caps the lanes the API is asked for the same way', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/deltas/start',
      payload: { ratePerSecond: 5, concurrency: 8, durationSeconds: 1 },
    });
    expect(res.json().settings).toMatchObject({ concurrency: 1, mix: defaultMix });
    await app.inject({ method: 'POST', url: '/deltas/stop' });
  });
});
