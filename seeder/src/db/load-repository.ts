/** The SQL of a full load, besides COPY (copy.ts): locking the tables and reserving id blocks. */
import { SeedError } from '../errors.js';
import type { PoolClient } from './pool.js';
import { tables, type Table } from './tables.js';

/** How long a full load waits for another session's hold on a table before giving up with a 409. */
export const LOCK_WAIT_MS = 10_000;

/**
 * Locks the storefront tables against other writers for the rest of the transaction, waiting at
 * most LOCK_WAIT_MS for one (a user's open transaction) before giving up with a 409.
 */
export async function lockTables(client: PoolClient): Promise<void> {
  await client.query(`SET LOCAL lock_timeout = ${LOCK_WAIT_MS}`);
  await client.query(`LOCK TABLE ${tables.join(', ')} IN SHARE ROW EXCLUSIVE MODE`).catch((err: unknown) => {
    if ((err as { code?: string }).code === '55P03') {
      throw new SeedError(
        'busy',
        `another session has held the storefront tables for ${LOCK_WAIT_MS / 1000} s; commit or end it and retry`,
      );
    }
    throw err;
  });
}

export async function countRows(client: PoolClient, table: Table): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0]!.n);
}

/**
 * Reserves `count` ids from a table's identity sequence and returns the first. Callers hold the
 * table lock, so nobody else draws from the sequence in between.
 */
export async function reserveIds(client: PoolClient, table: Table, count: number): Promise<number> {
  if (count === 0) return 1;
  const { rows } = await client.query<{ first: string }>(
    `SELECT setval(seq, nextval(seq) + $1::bigint - 1) - $1::bigint + 1 AS first
       FROM pg_get_serial_sequence($2, 'id') AS seq`,
    [count, table],
  );
  return Number(rows[0]!.first);
}
