import pg from 'pg';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export function createPool(db: Config['db'], log: FastifyBaseLogger): pg.Pool {
  const pool = new pg.Pool({
    host: db.host,
    port: db.port,
    database: db.database,
    user: db.user,
    password: db.password,
    max: db.poolSize,
    application_name: 'storefront-seeder',
    // Every statement on a generic plan: planned once per connection, not per call. The delta
    // actions are named prepared statements, and with the server's default (auto) placeOrder was
    // planned on every call, because its generic plan's estimate (a random id range, a parameter
    // LIMIT) is never below its custom plans'. Planning it took longer than running it (about
    // 1 ms, and more as the shop grows: the planner probes the ends of the id indexes for each
    // bound), about half of the actions' statement time, measured with pg_stat_statements'
    // track_planning. Its generic plan is the same index scans for any ids. The seeder's other
    // statements are simple lookups, and COPY is not planned.
    options: '-c plan_cache_mode=force_generic_plan',
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client whose server went away emits 'error'; without a listener it would crash the
  // process. The next query gets a fresh connection, or a clean 503 while the server is down.
  pool.on('error', (err) => log.warn({ err: err.message }, 'idle database connection lost'));
  return pool;
}

/**
 * Runs `fn` in a transaction on one pooled client; rolls back on any error. A connection that
 * cannot even roll back is discarded, not returned to the pool.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}
