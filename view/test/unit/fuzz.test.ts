/**
 * Hostile input to every endpoint of the view that takes any: rates that are not rates, actions
 * and tables that do not exist, bodies that are huge, of the wrong type or not UTF-8. Each gets a
 * 4xx, never a 5xx, and nothing reaches the seeder or Connect (their ports are closed here: a
 * request that got through would be a 502).
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlineView } from '../support/offline-view.js';

let app: FastifyInstance;

beforeAll(async () => {
  app = await offlineView();
});
afterAll(async () => app?.close());

/** A deterministic stream of junk: the same cases on every run. */
function* junk(seed: number, count: number): Generator<string> {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31);
  const alphabet = ['0', '9', '-', '.', 'e', '+', ' ', '%', '&', '=', '/', '\u0000', 'é', '😀', '<', '"', "'", 'x'];
  for (let i = 0; i < count; i++) {
    const length = next() % 24;
    yield Array.from({ length }, () => alphabet[next() % alphabet.length]).join('');
  }
}

const clientError = (res: LightMyRequestResponse, what: string) => {
  expect(res.statusCode, `${what}: ${res.statusCode} ${res.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, `${what}: ${res.statusCode} ${res.body.slice(0, 200)}`).toBeLessThan(500);
};

const form = (payload: string | Buffer, contentType = 'application/x-www-form-urlencoded') =>
  app.inject({ method: 'POST', url: '/deltas/start', headers: { 'content-type': contentType }, payload });

describe('POST /deltas/start with a rate that is not one', () => {
  it.each([
    '',
    'abc',
    '0',
    '-1',
    '-0',
    '50001',
    '1e309',
    'Infinity',
    '-Infinity',
    'NaN',
    '0x10000000',
    '1e6',
    ' ',
    '9'.repeat(400),
  ])('refuses rate=%j with a 400', async (rate) => {
    const res = await form(`rate=${encodeURIComponent(rate)}`);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('the rate must be a number');
  });

  it.each([...junk(7, 200)].filter((j) => !(Number(j) > 0 && Number(j) <= 50_000)))(
    'refuses generated rate %j with a 4xx',
    async (rate) => clientError(await form(`rate=${encodeURIComponent(rate)}`), rate),
  );

  it.each([
    ['two rates', 'rate=5&rate=6'],
    ['no rate at all', 'other=1'],
    ['a rate with a bracket', 'rate[]=5'],
  ])('refuses %s with a 4xx', async (_what, body) => clientError(await form(body), body));

  it.each([
    ['JSON with an object for a rate', '{"rate":{"x":1}}', 'application/json'],
    ['JSON with an array for a rate', '{"rate":[1,2]}', 'application/json'],
    ['JSON that does not parse', '{"rate":', 'application/json'],
    ['a JSON string', '"5"', 'application/json'],
    ['text', 'rate=5', 'text/plain'],
    ['XML', '<rate>5</rate>', 'application/xml'],
  ])('refuses %s with a 4xx', async (what, body, type) => clientError(await form(body, type), what));

  it('refuses a body of 2 MB with a 4xx', async () => {
    clientError(await form(`rate=${'9'.repeat(2 * 2 ** 20)}`), '2 MB');
  });

  it.each([
    ['a form', Buffer.from([0x72, 0x61, 0x74, 0x65, 0x3d, 0xff, 0xfe, 0x35]), 'application/x-www-form-urlencoded'],
    [
      'JSON',
      Buffer.from([0x7b, 0x22, 0x72, 0x61, 0x74, 0x65, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
      'application/json',
    ],
    ['a percent-encoded invalid byte', Buffer.from('rate=%FF%FE'), 'application/x-www-form-urlencoded'],
  ])('refuses %s that is not UTF-8 with a 4xx', async (what, body, type) => clientError(await form(body, type), what));
});

describe('actions and tables that do not exist', () => {
  it.each(['delete', 'PAUSE', 'pause ', '', '..', '%2e%2e', 'restart%00', '😀', 'x'.repeat(5000), ...junk(11, 60)])(
    'POST /connector/%j is a 4xx',
    async (action) => {
      const url = `/connector/${/%/.test(action) ? action : encodeURIComponent(action)}`;
      clientError(await app.inject({ method: 'POST', url, headers: { host: 'localhost:80' } }), url);
    },
  );

  it.each(['%ff', '%c3%28', '%', '%zz'])('POST /connector/%s (a path that is not UTF-8) is a 4xx', async (raw) => {
    clientError(await app.inject({ method: 'POST', url: `/connector/${raw}` }), raw);
  });

  it.each(['nope', '%ff', '..%2f..%2fetc%2fpasswd', 'orders%00', 'x'.repeat(5000), ...junk(13, 40)])(
    'GET /topics/%j and its live part are a 4xx',
    async (table) => {
      const encoded = /%/.test(table) ? table : encodeURIComponent(table);
      clientError(await app.inject({ url: `/topics/${encoded}` }), table);
      clientError(await app.inject({ url: `/topics/${encoded}/live` }), table);
    },
  );

  it.each(['/nope', '/static/../../etc/passwd', '/static/%2e%2e/%2e%2e/package.json', '/api/pipeline/x'])(
    'GET %s is a 4xx',
    async (url) => clientError(await app.inject({ url }), url),
  );
});
