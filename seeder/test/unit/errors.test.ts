/** The error contracts: which database errors are races or outages, and a 500 that hides its detail. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { offlineConfig } from '../support/offline-config.js';
import { isConflict, isDatabaseUnavailable } from '../../src/errors.js';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isConflict and isDatabaseUnavailable', () => {
  it.each(['40P01', '40001', '55P03', '23503', '23505'])('counts SQLSTATE %s as a lost race', (code) => {
    expect(isConflict(pgError(code))).toBe(true);
    expect(isDatabaseUnavailable(pgError(code))).toBe(false);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', '53300', '08006'])(
    'counts %s as the database being away',
    (code) => {
      expect(isDatabaseUnavailable(pgError(code))).toBe(true);
      expect(isConflict(pgError(code))).toBe(false);
    },
  );

  it('recognises a dropped connection by its message, and nothing else', () => {
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(pgError('42P01', 'relation "x" does not exist'))).toBe(false);
    expect(isConflict(pgError('42P01'))).toBe(false);
    expect(isDatabaseUnavailable('not an error')).toBe(false);
  });
});

describe('an unexpected error', () => {
  it('answers 500 with a generic message, and logs the detail', async () => {
    let log = '';
    const logStream = new Writable({
      write(chunk: Buffer, _enc, done) {
        log += chunk.toString();
        done();
      },
    });
    const app = await buildApp(offlineConfig(), { logStream: { write: (s: string) => logStream.write(s) } });
    app.get('/boom', async () => {
      throw new Error('internal detail: /srv/secret/path');
    });
    const res = await app.inject({ url: '/boom' });
    await app.close();
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ message: 'internal error; the seeder log has the details' });
    expect(res.body).not.toContain('secret');
    expect(log).toContain('internal detail: /srv/secret/path');
  });
});
