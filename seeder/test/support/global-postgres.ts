/** Starts one PostgreSQL for the integration tests (dockerless stack component) and stops it after. */
import type { TestProject } from 'vitest/node';
import { postgres } from '../../../stack/src/components/postgres.js';
import { freePort, testContext } from './test-stack.js';

export const TEST_HOME = '.stack/test';

declare module 'vitest' {
  export interface ProvidedContext {
    pgPort: number;
  }
}

export default async function setup(project: TestProject) {
  const port = Number(process.env.TEST_PG_PORT ?? (await freePort()));
  const ctx = testContext(TEST_HOME, { PG_PORT: String(port) });
  await postgres.up(ctx);
  project.provide('pgPort', port);
  return async () => {
    await postgres.down!(testContext(TEST_HOME, { PG_PORT: String(port) }));
  };
}
