/**
 * The source database, as the view's read-only role sees it: exact row counts of the captured
 * tables and how far the replication slot is behind the WAL.
 */
import pg from 'pg';
import type { ViewEnv } from '../config.js';

export interface SlotInfo {
  name: string;
  active: boolean;
  /** WAL written since what the connector last confirmed: what a restart would re-read. */
  lagBytes: number;
  walStatus: string | null;
}

export function viewPool(env: ViewEnv): pg.Pool {
  const pool = new pg.Pool({
    host: env.PG_HOST,
    port: env.PG_PORT,
    database: env.PG_DATABASE,
    user: env.VIEW_PG_USER,
    password: env.VIEW_PG_PASSWORD,
    max: 2,
    connectionTimeoutMillis: 2_000,
    idleTimeoutMillis: 30_000,
    // A count over a table of tens of millions of rows takes seconds; never minutes.
    statement_timeout: 60_000,
    application_name: 'storefront-pipeline-view',
  });
  // An idle connection the server closed (a restart) is an error event, not a crash.
  pool.on('error', () => undefined);
  return pool;
}

/** schema.table -> a quoted identifier pair. */
const qualified = (table: string) =>
  table
    .split('.')
    .map((part) => pg.escapeIdentifier(part))
    .join('.');

/**
 * count(*) of each table, in one statement (one snapshot). A table the role cannot read (created
 * outside the migrations without grants) is reported as such, not as an error of the whole page.
 */
export async function countRows(pool: pg.Pool, tables: string[]): Promise<Map<string, number | string>> {
  const out = new Map<string, number | string>();
  if (tables.length === 0) return out;
  const { rows } = await pool.query<{ t: string; readable: boolean }>(
    // In this order: to_regclass() itself fails on a schema the role may not use.
    `SELECT t, CASE
                 WHEN NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = split_part(t, '.', 1)) THEN false
                 WHEN NOT has_schema_privilege(split_part(t, '.', 1), 'USAGE') THEN false
                 ELSE coalesce(has_table_privilege(to_regclass(t), 'SELECT'), false)
               END AS readable
       FROM unnest($1::text[]) AS t`,
    [tables],
  );
  const readable = rows.filter((r) => r.readable).map((r) => r.t);
  for (const r of rows) if (!r.readable) out.set(r.t, 'not readable by the view’s role');
  if (readable.length > 0) {
    const counts = await pool.query<Record<string, string>>(
      `SELECT ${readable.map((t, i) => `(SELECT count(*) FROM ${qualified(t)}) AS c${i}`).join(', ')}`,
    );
    readable.forEach((t, i) => out.set(t, Number(counts.rows[0]![`c${i}`])));
  }
  return out;
}

export async function slotInfo(pool: pg.Pool, slot: string): Promise<SlotInfo | null> {
  const { rows } = await pool.query<{ active: boolean; lag: string | null; wal_status: string | null }>(
    `SELECT active, pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint AS lag, wal_status
       FROM pg_replication_slots WHERE slot_name = $1`,
    [slot],
  );
  const r = rows[0];
  return r ? { name: slot, active: r.active, lagBytes: Number(r.lag ?? 0), walStatus: r.wal_status } : null;
}
