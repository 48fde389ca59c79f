/** Validation happens before any handler touches the database: these need no server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type SeederApp } from '../../../src/app.js';
import { deltaStartExample, DeltaStartBody } from '../../../src/routes/deltas.js';
import { fullLoadExample, FullLoadBody } from '../../../src/routes/full-load.js';
import { offlineConfig } from '../../support/offline-config.js';

let app: SeederApp;
beforeAll(async () => {
  app = await buildApp(offlineConfig());
});
afterAll(() => app.close());

const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as object });

describe('POST /full-load validation', () => {
  it.each([
    [{ customers: -5, products: 1, orders: 1 }, 'customers'],
    [{ customers: 1.5, products: 1, orders: 1 }, 'customers'],
    [{ customers: 10, products: 'many', orders: 1 }, 'products'],
    [{ customers: 10, products: 10 }, 'orders'],
    [{ customers: 10, products: 10, orders: 10_000_000_000 }, 'orders'],
    [{ customers: 0, products: 10, orders: 5 }, 'customers'],
    [{ customers: 5, products: 0, orders: 5 }, 'products'],
    [{ customers: 5, products: 5, orders: 5, seed: -1 }, 'seed'],
    [{ customers: 5, products: 5, orders: 5, until: 'yesterday' }, 'until'],
    [{ customers: 5, products: 5, orders: 5, color: 'red' }, 'color'],
    [{ customers: 5, products: 5, orders: 5, history: { growth: 0.5 } }, 'history.growth'],
    [{ customers: 5, products: 5, orders: 5, history: { daily: -1 } }, 'history.daily'],
    [{ customers: 5, products: 5, orders: 5, history: { weekly: 4 } }, 'history.weekly'],
    [{ customers: 5, products: 5, orders: 5, history: { seasons: 1 } }, 'history'],
  ])('rejects %j naming %s', async (body, field) => {
    const res = await post('/full-load', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain(field);
  });

  it('names the field of the issue report', async () => {
    const res = await post('/full-load', { customers: -5 });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ field: 'customers' });
  });

  it('rejects a body that is not JSON with 400', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/full-load',
      headers: { 'content-type': 'application/json' },
      payload: '{"customers":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBeTruthy();
  });

  it('rejects a bad wait flag', async () => {
    const res = await post('/full-load?wait=perhaps', { customers: 1, products: 1, orders: 1 });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('wait');
  });
});

describe('POST /deltas/start validation', () => {
  it("takes a profile given only its kind with the defaults its schema shows (the examples' values)", () => {
    expect(DeltaStartBody.parse({ ratePerSecond: 10, profile: { kind: 'burst' } }).profile).toEqual({
      kind: 'burst',
      multiplier: 5,
      burstSeconds: 10,
      everySeconds: 30,
    });
    expect(DeltaStartBody.parse({ ratePerSecond: 10, profile: { kind: 'daily' } }).profile).toEqual({
      kind: 'daily',
      periodSeconds: 600,
    });
    // A default that does not fit the rest is still named: a burst longer than its period.
    expect(
      DeltaStartBody.safeParse({ ratePerSecond: 10, profile: { kind: 'burst', everySeconds: 5 } }).error?.issues[0]
        ?.path,
    ).toEqual(['profile', 'burstSeconds']);
  });

  it.each([
    [{}, 'ratePerSecond'],
    [{ ratePerSecond: 0 }, 'ratePerSecond'],
    [{ ratePerSecond: 1e9 }, 'ratePerSecond'],
    [{ ratePerSecond: 10, durationSeconds: -1 }, 'durationSeconds'],
    [{ ratePerSecond: 10, mix: { insert: 0, update: 0, delete: 0 } }, 'mix'],
    [{ ratePerSecond: 10, mix: { insert: -1, update: 1, delete: 1 } }, 'mix.insert'],
    [{ ratePerSecond: 10, mix: { inserts: 1 } }, 'mix'],
    [{ ratePerSecond: 10, concurrency: 0 }, 'concurrency'],
    [{ ratePerSecond: 10, profile: { kind: 'tidal' } }, 'profile.kind'],
    [{ ratePerSecond: 10, profile: { kind: 'daily', periodSeconds: 1 } }, 'profile.periodSeconds'],
    [
      { ratePerSecond: 10, profile: { kind: 'burst', multiplier: 1, burstSeconds: 1, everySeconds: 9 } },
      'profile.multiplier',
    ],
    [
      { ratePerSecond: 10, profile: { kind: 'burst', multiplier: 5, burstSeconds: 9, everySeconds: 9 } },
      'profile.burstSeconds',
    ],
    [{ ratePerSecond: 10, profile: { kind: 'steady', periodSeconds: 9 } }, 'profile'],
    [{ ratePerSecond: 20_000, profile: { kind: 'burst', multiplier: 5, burstSeconds: 1, everySeconds: 9 } }, 'profile'],
  ])('rejects %j naming %s', async (body, field) => {
    const res = await post('/deltas/start', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain(field);
  });
});

describe('GET /jobs/:id', () => {
  it('rejects an id that is not a uuid', async () => {
    const res = await app.inject({ method: 'GET', url: '/jobs/42' });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('id');
  });

  it('answers 404 for an unknown job', async () => {
    const res = await app.inject({ method: 'GET', url: '/jobs/7f1d3c2e-1111-4a4a-9b9b-123456789abc' });
    expect(res.statusCode).toBe(404);
  });
});

describe('database down', () => {
  it('answers 503 with a clear message, not a 500', async () => {
    const res = await app.inject({ method: 'GET', url: '/stats' });
    expect(res.statusCode).toBe(503);
    expect(res.json().message).toMatch(/database is unreachable/);
  });
});

describe('OpenAPI document', () => {
  it('documents every route from the zod schemas', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/deltas',
      '/deltas/start',
      '/deltas/stop',
      '/full-load',
      '/health',
      '/jobs/{id}',
      '/ready',
      '/stats',
    ]);
    expect(doc.paths['/full-load'].post.requestBody.content['application/json'].schema.required).toEqual([
      'customers',
      'products',
      'orders',
    ]);
    expect(doc).toMatchSnapshot();
  });

  it('prefills small, valid examples and documents wait as a boolean', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    const example = (path: string) => doc.paths[path].post.requestBody.content['application/json'].schema.example;
    expect(example('/full-load')).toEqual(fullLoadExample);
    expect(example('/deltas/start')).toEqual(deltaStartExample);
    expect(FullLoadBody.safeParse(fullLoadExample).success).toBe(true);
    expect(DeltaStartBody.safeParse(deltaStartExample).success).toBe(true);
    // One example per rate profile, each valid and gentle: 20 changes/s on average, 12,000 at most.
    const examples = doc.paths['/deltas/start'].post.requestBody.content['application/json'].examples;
    expect(Object.keys(examples)).toEqual(['steady', 'daily', 'burst']);
    for (const { value } of Object.values(examples) as {
      value: { ratePerSecond: number; durationSeconds: number };
    }[]) {
      expect(DeltaStartBody.safeParse(value).success).toBe(true);
      expect(value.ratePerSecond * value.durationSeconds).toBeLessThanOrEqual(12_000);
    }
    expect(examples.steady.value).toEqual(deltaStartExample);
    // What a first click starts: about 30k rows, and 20 changes/s for a minute.
    expect(fullLoadExample.customers + fullLoadExample.products + fullLoadExample.orders).toBeLessThanOrEqual(10_000);
    expect(deltaStartExample.ratePerSecond * deltaStartExample.durationSeconds).toBeLessThanOrEqual(2_000);
    const wait = doc.paths['/full-load'].post.parameters.find((p: { name: string }) => p.name === 'wait');
    expect(wait.schema.type).toBe('boolean');
  });

  it('accepts wait=true and wait=false as the boolean the document promises', async () => {
    for (const wait of ['true', 'false']) {
      const res = await post(`/full-load?wait=${wait}`, { customers: -1, products: 1, orders: 1 });
      expect(res.json().message).not.toContain('wait'); // only the body is wrong
    }
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('swagger');
  });
});
