/**
 * The dockerless stack's own components, on a separate home and free ports, so tests never touch
 * the playground a developer has running.
 */
import net from 'node:net';
import type { Context } from '../../../stack/src/component.js';
import { loadStackConfig, type StackConfig } from '../../../stack/src/config.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function testContext(home: string, overrides: Record<string, string>): Context {
  const cfg: StackConfig = loadStackConfig({ ...process.env, STACK_HOME: home, ...overrides });
  return { cfg, say: () => undefined };
}
