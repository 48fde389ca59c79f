import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorSchema } from './error-schema.js';
import type { Pool } from '../db/pool.js';
import type { FullLoads } from '../loads/jobs.js';
import { checkReadiness, countRows } from '../db/status-repository.js';
import { SeedError } from '../errors.js';

const plugin: FastifyPluginAsyncZod<{ pool: Pool; loads: FullLoads }> = async (app, { pool, loads }) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['status'],
        summary: 'Liveness: the process answers',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['status'],
        summary: 'Readiness: the database answers and the migrations are applied',
        response: {
          200: z.object({
            status: z.literal('ready'),
            migrations: z.object({ applied: z.number(), latest: z.string().nullable() }),
            renderThreads: z
              .object({ threads: z.number(), warm: z.boolean() })
              .describe(
                'Worker threads that render a full load ahead of its COPY (SEEDER_RENDER_THREADS), and whether they ' +
                  'have started: the seeder starts them when it listens, in about half a second; a load sent before ' +
                  'waits for them.',
              ),
          }),
          503: ErrorSchema,
        },
      },
    },
    async () => {
      const r = await checkReadiness(pool);
      if (!r.ready)
        throw new SeedError('not_ready', `not ready: ${r.reason}; run the migrations (npm run stack -- up source)`);
      return { status: 'ready' as const, migrations: r.migrations!, renderThreads: loads.renderThreadsState() };
    },
  );

  app.get(
    '/stats',
    {
      schema: {
        tags: ['status'],
        summary: 'Rows per table',
        response: {
          200: z.object({ rows: z.record(z.string(), z.number()), total: z.number() }),
          503: ErrorSchema,
        },
      },
    },
    async () => {
      const rows = await countRows(pool);
      return { rows, total: Object.values(rows).reduce((a, b) => a + b, 0) };
    },
  );
};

export default plugin;
