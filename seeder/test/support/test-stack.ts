/**
 * The dockerless stack's own components, on a separate home and free ports, so tests never touch
 * the playground a developer has running.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { Context } from '../../../stack/src/component.js';
import { loadStackConfig, type StackConfig } from '../../../stack/src/config.js';

/** The kernel's range for the local end of outgoing connections (Linux; the IANA range elsewhere). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) return [low, high];
  } catch {
    // not Linux
  }
  return [49152, 65535];
}

const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

const handedOut = new Set<number>();

/**
 * A port free now, and below the ephemeral range: a port the kernel hands out (listen(0)) may be
 * taken, between the test choosing it and the component binding it, by the local end of any
 * outgoing connection (it happened: the registry's management port, in a bench run).
 */
export async function freePort(): Promise<number> {
  const [ephemeralLow] = ephemeralRange();
  const low = Math.max(1024, ephemeralLow - 12_000);
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (ephemeralLow - low));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port found between ${low} and ${ephemeralLow}`);
}

export function testContext(home: string, overrides: Record<string, string>): Context {
  const cfg: StackConfig = loadStackConfig({ ...process.env, STACK_HOME: home, ...overrides });
  return { cfg, say: () => undefined };
}
