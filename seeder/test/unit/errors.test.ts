/** The error contracts: which database errors are races or outages, and a 500 that hides its detail. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { offlineConfig } from '../support/offline-config.js';
import { conflictKind, isDatabaseUnavailable } from '../../src/errors.js';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('conflictKind and isDatabaseUnavailable', () => {
  it.each(['40P01', '40001', '55P03'])('counts SQLSTATE %s as a lost lock race', (code) => {
    expect(conflictKind(pgError(code))).toBe('lock');
    expect(isDatabaseUnavailable(pgError(code))).toBe(false);
  });

  it.each(['23503', '23505'])('counts SQLSTATE %s as a constraint conflict, apart from lock races', (code) => {
    expect(conflictKind(pgError(code))).toBe('constraint');
    expect(isDatabaseUnavailable(pgError(code))).toBe(false);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', '53300', '08006'])(
    'counts %s as the database being away',
    (code) => {
      expect(isDatabaseUnavailable(pgError(code))).toBe(true);
      expect(conflictKind(pgError(code))).toBeNull();
    },
  );

  it('recognises a dropped connection by its message, and nothing else', () => {
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(pgError('42P01', 'relation "x" does not exist'))).toBe(false);
    expect(conflictKind(pgError('42P01'))).toBeNull();
    expect(conflictKind(null)).toBeNull();
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
