/** One freshly migrated database per test file, and a seeder Config pointing at it. */
import { inject } from 'vitest';
import { recreateDatabase } from '../../../stack/src/components/flyway.js';
import { superuserClient } from '../../../stack/src/components/postgres.js';
import { loadConfig, type Config } from '../../src/config.js';
import { tables } from '../../src/db/tables.js';
import { TEST_HOME } from './global-postgres.js';
import { testContext } from './test-stack.js';

export function pgContext() {
  return testContext(TEST_HOME, { PG_PORT: String(inject('pgPort')) });
}

/**
 * Drops and recreates `name`, then runs the real Flyway migrations on it: the Flyway command line
 * on the `local` backend, the flyway image on `docker`.
 */
export async function freshDatabase(name: string): Promise<Config> {
  const ctx = pgContext();
  if (inject('backend') === 'docker') {
    const { migrateWithFlywayImage } = await import('../../../stack/test/support/docker-backend.js');
    await recreateDatabase(ctx, name, (database) => migrateWithFlywayImage(ctx.cfg, inject('dockerNetwork'), database));
  } else {
    await recreateDatabase(ctx, name);
  }
  const e = ctx.cfg.env;
  return loadConfig({
    PG_HOST: '127.0.0.1',
    PG_PORT: String(e.PG_PORT),
    PG_DATABASE: name,
    SEEDER_PG_USER: e.SEEDER_PG_USER,
    SEEDER_PG_PASSWORD: e.SEEDER_PG_PASSWORD,
    LOG_LEVEL: 'warn',
  });
}

/** A superuser connection to a test database, for assertions the seeder role may not make. */
export async function adminClient(database: string) {
  const client = superuserClient(pgContext().cfg, database);
  await client.connect();
  return client;
}

/** Every storefront table's row count, read as the superuser. */
export async function rowCounts(db: import('pg').Client): Promise<Record<string, number>> {
  return Object.fromEntries(
    await Promise.all(
      tables.map(async (t) => [t, Number((await db.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n)] as const),
    ),
  );
}
