/** The one wait helper every readiness poll uses, and the HTTP probe the services share. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { httpOk, waitUntil } from '../../src/processes.js';

describe('waitUntil', () => {
  it('answers true as soon as the check holds', async () => {
    let calls = 0;
    const started = Date.now();
    expect(await waitUntil(async () => ++calls === 3, 5_000, 10)).toBe(true);
    expect(calls).toBe(3);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('answers false once the time is up, having checked until then', async () => {
    let calls = 0;
    const started = Date.now();
    expect(await waitUntil(async () => (calls++, false), 200, 20)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(calls).toBeGreaterThan(3);
  });
});

describe('httpOk', () => {
  it('is true for a 2xx, false for an error status, a closed port and a server that never answers', async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/hang') return; // never answers
      res.statusCode = req.url === '/ok' ? 200 : 503;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await httpOk(`${base}/ok`)).toBe(true);
      expect(await httpOk(`${base}/down`)).toBe(false);
      expect(await httpOk(`${base}/hang`, 200)).toBe(false);
      expect(await httpOk('http://127.0.0.1:1/')).toBe(false);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
