/**
 * The view with nothing to look at: every endpoint it reads is a closed port. Each page still
 * answers, says what is down and what to run, and refuses bad or foreign actions.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlineView } from '../support/offline-view.js';

let app: FastifyInstance;

beforeAll(async () => {
  app = await offlineView();
});
afterAll(async () => app?.close());

const htmx = { 'hx-request': 'true', host: 'localhost:80' };

describe('the view when nothing is up', () => {
  it('shows every component down with the command that brings it up, not an error page', async () => {
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    for (const [name, command] of [
      ['postgres', 'npm run stack -- up source'],
      ['seeder', 'npm run stack -- up source'],
      ['kafka', 'npm run stack -- up streaming'],
      ['registry', 'npm run stack -- up streaming'],
      ['connect', 'npm run stack -- up streaming'],
    ])
      expect(res.body).toMatch(new RegExp(`data-down="${name}">.*Bring it up: <code>${command}</code>`));
    expect(res.body).not.toMatch(/\bat .*\.(ts|js):\d+/);
    const api = (await app.inject({ url: '/api/pipeline' })).json();
    expect(api.components.every((c: { up: boolean }) => !c.up)).toBe(true);
  });

  it('refuses an action posted from another site', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/deltas/stop',
      headers: { origin: 'https://elsewhere.example', host: 'localhost:80' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('refused');
  });

  it('acts only on POST', async () => {
    expect((await app.inject({ method: 'GET', url: '/connector/pause' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/connector/delete', headers: htmx })).statusCode).toBe(404);
  });

  it('says why an action cannot be done and what to run', async () => {
    const pause = await app.inject({ method: 'POST', url: '/connector/pause', headers: htmx });
    expect(pause.statusCode).toBe(502);
    expect(pause.body).toContain('no connector to act on');
    expect(pause.body).toContain('npm run stack -- up streaming');
    const start = await app.inject({ method: 'POST', url: '/deltas/start', headers: htmx, payload: { rate: '10' } });
    expect(start.statusCode).toBe(502);
    expect(start.body).toMatch(/deltas\/start does not answer/);
    expect(start.body).toContain('What to try: <code>npm run stack -- up source</code>');
  });

  it('names a bad rate with a 400, and posts nothing', async () => {
    for (const rate of ['', 'abc', '-1', '0', '50001']) {
      const res = await app.inject({ method: 'POST', url: '/deltas/start', headers: htmx, payload: { rate } });
      expect(res.statusCode, rate).toBe(400);
      expect(res.body).toContain(
        `the rate must be a number of changes per second, above 0 and at most 50000, not &quot;${rate}&quot;`,
      );
    }
    // A plain form post (no htmx) gets the same message as text.
    const plain = await app.inject({ method: 'POST', url: '/deltas/start', payload: { rate: 'x' } });
    expect(plain.statusCode).toBe(400);
    expect(plain.body).toContain('not "x"');
  });

  it('answers a topic it does not know and a missing registry with a page that says so', async () => {
    const topic = await app.inject({ url: '/topics/customers' });
    expect(topic.statusCode).toBe(404);
    expect(topic.body).toContain('is Kafka Connect up?');
    const schemas = await app.inject({ url: '/schemas' });
    expect(schemas.statusCode).toBe(502);
    expect(schemas.body).toMatch(/subjects does not answer.*What to try: <code>npm run stack -- up streaming<\/code>/s);
  });
});
