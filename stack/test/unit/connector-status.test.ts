/** connectorStatus reads only what is a status: Connect's 5xx while it rebalances, or a body that is not one, is "not answering yet". */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorStatus } from '../../src/components/connect.js';
import { loadStackConfig } from '../../src/config.js';

let answer: { status: number; body: string } = { status: 200, body: '{}' };
const server = http.createServer((_req, res) => {
  res.writeHead(answer.status, { 'content-type': 'application/json' });
  res.end(answer.body);
});

beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const status = () =>
  connectorStatus(loadStackConfig({ CONNECT_PORT: String((server.address() as AddressInfo).port) }), 'c', 2_000);

describe('connectorStatus', () => {
  it.each([
    [500, '{"error_code":500,"message":"Request timed out"}'],
    [409, '{"error_code":409,"message":"Cannot complete request momentarily due to stale configuration"}'],
    [503, 'Service Unavailable'],
    [200, 'not json'],
    [200, '{"name":"c"}'],
    [200, 'null'],
  ])('takes a %i with %j for not answering yet, not for a status', async (code, body) => {
    answer = { status: code, body };
    await expect(status()).resolves.toBeUndefined();
  });

  it('reads a 404 as "not registered", and a status as itself', async () => {
    answer = { status: 404, body: '{"error_code":404}' };
    await expect(status()).resolves.toBeNull();
    const running = { connector: { state: 'RUNNING' }, tasks: [{ id: 0, state: 'RUNNING' }] };
    answer = { status: 200, body: JSON.stringify(running) };
    await expect(status()).resolves.toEqual(running);
  });
});
