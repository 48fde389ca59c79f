/** The view with nothing to look at: every endpoint it reads is a closed port (for tests that need no stack). */
import type { FastifyInstance } from 'fastify';
import { freePort } from '../../../seeder/test/support/test-stack.js';
import { buildView } from '../../src/app.js';
import { loadViewConfig } from '../../src/config.js';

export async function offlineView(env: NodeJS.ProcessEnv = {}): Promise<FastifyInstance> {
  const closed = async () => String(await freePort());
  const app = await buildView(
    loadViewConfig({
      PG_HOST: '127.0.0.1',
      PG_PORT: await closed(),
      PG_DATABASE: 'storefront',
      VIEW_PG_PASSWORD: 'x',
      KAFKA_BOOTSTRAP: `127.0.0.1:${await closed()}`,
      REGISTRY_URL: `http://127.0.0.1:${await closed()}/apis/ccompat/v7`,
      CONNECT_URL: `http://127.0.0.1:${await closed()}`,
      SEEDER_URL: `http://127.0.0.1:${await closed()}`,
      ...env,
    }),
  );
  app.log.level = 'silent';
  return app;
}
