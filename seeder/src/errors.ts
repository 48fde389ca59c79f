/** The one error domain code throws; app.ts maps each kind to an HTTP status. */
export type SeedErrorKind =
  'invalid' | 'busy' | 'not_found' | 'not_running' | 'db_unavailable' | 'not_ready' | 'load_failed';

export class SeedError extends Error {
  constructor(
    readonly kind: SeedErrorKind,
    message: string,
    /** The request field the error is about, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'SeedError';
  }
}

export const isSeedError = (err: unknown): err is SeedError => err instanceof SeedError;

/** Socket-level failures and the SQLSTATEs a server uses while it is down, starting or stopping. */
const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (unavailableCodes.has(code) || code.startsWith('08'))) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(
    err.message,
  );
}

/**
 * Why a delta action lost to a concurrent one; it is skipped and counted, not reported.
 * - `lock`: a deadlock, a serialization failure or a lock not available: nothing is wrong.
 * - `constraint`: a foreign key or unique constraint rejected the statement, because another lane
 *   changed a row it had read (a customer deleted while their order was placed). With one lane
 *   there is nobody to race with, so a constraint conflict there is a bug in an action, and the
 *   tests assert that none happens.
 */
export type ConflictKind = 'lock' | 'constraint';

export function conflictKind(err: unknown): ConflictKind | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === '40P01' || code === '40001' || code === '55P03') return 'lock';
  if (code === '23503' || code === '23505') return 'constraint';
  return null;
}

export function toSeedError(err: unknown): unknown {
  if (isSeedError(err)) return err;
  if (isDatabaseUnavailable(err)) {
    return new SeedError(
      'db_unavailable',
      'the database is unreachable; is PostgreSQL running? (npm run stack -- status)',
    );
  }
  return err;
}
