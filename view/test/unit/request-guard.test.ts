/**
 * No page elsewhere acts through our ports: the seeder's API and the pipeline view refuse a Host
 * that is not one of their names (DNS rebinding) and a state-changing request from another origin
 * (a cross-site form, a sandboxed frame's `Origin: null`, Sec-Fetch-Site: cross-site), and still
 * answer plain curl. One table of cases, for both servers.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../seeder/src/app.js';
import { hostName, refusal } from '../../../seeder/src/request-guard.js';
import { offlineConfig } from '../../../seeder/test/support/offline-config.js';
import { offlineView } from '../support/offline-view.js';

const servers: Record<'seeder' | 'view', { app?: FastifyInstance; port: number; action: string }> = {
  seeder: { port: 8000, action: '/deltas/stop' },
  view: { port: 8090, action: '/deltas/stop' },
};

beforeAll(async () => {
  servers.seeder.app = (await buildApp(offlineConfig({ HTTP_ALLOWED_HOSTS: 'shop.lan' }))) as FastifyInstance;
  servers.view.app = await offlineView({ HTTP_ALLOWED_HOSTS: 'shop.lan' });
});
afterAll(async () => {
  await servers.seeder.app?.close();
  await servers.view.app?.close();
});

describe.each(['seeder', 'view'] as const)('the %s', (name) => {
  const send = (method: 'GET' | 'POST', url: string, headers: Record<string, string>) =>
    servers[name].app!.inject({ method, url, headers });
  const { port, action } = servers[name];
  const refused = (res: { statusCode: number; body: string }) => {
    expect(res.statusCode).toBe(403);
    expect(res.body).toMatch(/^refused: /);
  };

  it.each([`evil.example:${port}`, `127.0.0.1.nip.io:${port}`, `localhost.evil.example:${port}`])(
    'refuses Host %s, even for a GET (a page whose name was rebound to 127.0.0.1)',
    async (host) => {
      refused(await send('GET', '/health', { host }));
      refused(await send('POST', action, { host }));
    },
  );

  it.each([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${name}:${port}`, 'shop.lan', 'LOCALHOST'])(
    'answers Host %s (its names, its compose service, HTTP_ALLOWED_HOSTS)',
    async (host) => {
      expect((await send('GET', '/health', { host })).statusCode).toBe(200);
    },
  );

  it.each([
    ['a sandboxed frame or a file', { origin: 'null' }],
    ['another site', { origin: 'https://elsewhere.example' }],
    ['another of our ports', { origin: `http://localhost:${port + 1}` }],
    ['a page that is not http(s)', { origin: `chrome-extension://abc` }],
    ['a form the browser calls cross-site', { 'sec-fetch-site': 'cross-site' }],
    [
      'a cross-site request that claims our origin',
      { origin: `http://localhost:${port}`, 'sec-fetch-site': 'cross-site' },
    ],
  ])('refuses an action from %s', async (_what, headers) => {
    refused(await send('POST', action, { host: `localhost:${port}`, 'content-type': 'text/plain', ...headers }));
  });

  it('lets its own page act, and curl (no Origin)', async () => {
    const own = await send('POST', action, {
      host: `localhost:${port}`,
      origin: `http://localhost:${port}`,
      'sec-fetch-site': 'same-origin',
    });
    expect(own.statusCode).not.toBe(403);
    const curl = await send('POST', action, { host: `127.0.0.1:${port}` });
    expect(curl.statusCode).not.toBe(403);
  });
});

describe('the rules', () => {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]', 'seeder']);
  it('reads host names without their ports, IPv6 included', () => {
    expect(hostName('[::1]:8000')).toBe('[::1]');
    expect(hostName('LocalHost:8000')).toBe('localhost');
    expect(hostName('seeder')).toBe('seeder');
  });
  it('refuses a request with no Host with 400', () => {
    expect(refusal(names, { method: 'GET', host: undefined, origin: undefined, fetchSite: undefined })?.status).toBe(
      400,
    );
  });
  it('lets a GET from anywhere read (the browser keeps the answer from the other page)', () => {
    expect(
      refusal(names, { method: 'GET', host: 'localhost:8000', origin: 'https://x.example', fetchSite: 'cross-site' }),
    ).toBeNull();
  });
});
