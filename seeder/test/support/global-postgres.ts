/**
 * Starts one PostgreSQL for the integration tests and stops it after: the dockerless stack's
 * component on the `local` backend, the postgres image through testcontainers on `docker`.
 */
import type { TestProject } from 'vitest/node';
import { postgres } from '../../../stack/src/components/postgres.js';
import { chooseBackend, describeChoice } from '../../../stack/test/support/backend.js';
import { freePort, testContext } from './test-stack.js';

export const TEST_HOME = '.stack/test';

declare module 'vitest' {
  export interface ProvidedContext {
    pgPort: number;
    /** docker backend: the network the database is on, for the flyway image. */
    dockerNetwork: string;
  }
}

export default async function setup(project: TestProject) {
  const choice = await chooseBackend();
  console.log(describeChoice('integration', choice));
  project.provide('backend', choice.name);
  if (choice.name === 'docker') {
    const { startPostgres } = await import('../../../stack/test/support/docker-backend.js');
    const pg = await startPostgres(testContext(TEST_HOME, {}).cfg);
    project.provide('pgPort', pg.port);
    project.provide('dockerNetwork', pg.network);
    return () => pg.stop();
  }
  const port = Number(process.env.TEST_PG_PORT ?? (await freePort()));
  const ctx = testContext(TEST_HOME, { PG_PORT: String(port) });
  await postgres.up(ctx);
  project.provide('pgPort', port);
  project.provide('dockerNetwork', '');
  return async () => {
    await postgres.down!(testContext(TEST_HOME, { PG_PORT: String(port) }));
  };
}
