/** Secrets never reach a log line, whether the lines are JSON or pretty (at a terminal). */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { offlineConfig } from '../support/offline-config.js';
import { prettyLogStream } from '../../src/log.js';

const config = offlineConfig({ LOG_LEVEL: 'info' });

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe('log redaction', () => {
  it.each([
    ['JSON lines', async (out: Writable) => ({ write: (s: string) => out.write(s) })],
    ['pretty lines, as main.ts sets them up at a terminal', (out: Writable) => prettyLogStream(out)],
  ])('redacts passwords in %s', async (_name, makeStream) => {
    const out = capture();
    const logStream = await makeStream(out.stream);
    expect(logStream).toBeDefined();
    const app = await buildApp(config, { logStream });
    app.log.info({ db: { user: 'seeder', password: 'hunter2' }, password: 'swordfish' }, 'connecting');
    await app.close();
    await new Promise((r) => setImmediate(r));
    expect(out.text()).toContain('connecting');
    expect(out.text()).toContain('seeder');
    expect(out.text()).not.toContain('hunter2');
    expect(out.text()).not.toContain('swordfish');
    expect(out.text()).toContain('[Redacted]');
  });
});
