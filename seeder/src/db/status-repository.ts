import type { Pool } from './pool.js';
import { tables, type Table } from './tables.js';

export async function countRows(pool: Pool): Promise<Record<Table, number>> {
  const { rows } = await pool.query<Record<Table, string>>(
    `SELECT ${tables.map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(', ')}`,
  );
  const row = rows[0]!;
  return Object.fromEntries(tables.map((t) => [t, Number(row[t])])) as Record<Table, number>;
}

export interface Readiness {
  ready: boolean;
  reason?: string;
  migrations?: { applied: number; latest: string | null };
}

/** Ready when the database answers, Flyway's history shows no failure and every table exists. */
export async function checkReadiness(pool: Pool): Promise<Readiness> {
  const { rows } = await pool.query<{ history: string | null; missing: string[] }>(
    `SELECT to_regclass('flyway_schema_history')::text AS history,
            array(SELECT t FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NULL) AS missing`,
    [tables],
  );
  const { history, missing } = rows[0]!;
  if (history === null) return { ready: false, reason: 'migrations have not run: flyway_schema_history is missing' };
  const h = await pool.query<{ applied: string; failed: string; latest: string | null }>(
    `SELECT count(*) FILTER (WHERE success) AS applied, count(*) FILTER (WHERE NOT success) AS failed,
            (SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL
              ORDER BY installed_rank DESC LIMIT 1) AS latest
       FROM flyway_schema_history WHERE version IS NOT NULL`,
  );
  const { applied, failed, latest } = h.rows[0]!;
  const migrations = { applied: Number(applied), latest };
  if (Number(failed) > 0)
    return { ready: false, reason: 'a Flyway migration failed; see flyway_schema_history', migrations };
  if (missing.length > 0) return { ready: false, reason: `tables missing: ${missing.join(', ')}`, migrations };
  return { ready: true, migrations };
}
