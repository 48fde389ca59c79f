import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorSchema } from './error-schema.js';
import { defaultConcurrency, defaultMix, type DeltaGenerator } from '../deltas/generator.js';

const weight = z.number().min(0).max(1000);

/** What Swagger UI's "Try it out" prefills: a gentle stream for a minute, easy to watch. */
export const deltaStartExample = { ratePerSecond: 20, durationSeconds: 60 };

export const DeltaStartBody = z
  .object({
    ratePerSecond: z
      .number()
      .positive()
      .max(50_000)
      .describe('Target row changes per second (cascaded deletes included).'),
    durationSeconds: z
      .number()
      .positive()
      .max(7 * 86_400)
      .optional()
      .describe('Stop by itself after this many seconds.'),
    mix: z
      .object({ insert: weight, update: weight, delete: weight })
      .strict()
      .refine((m) => m.insert + m.update + m.delete > 0, { message: 'at least one weight must be > 0' })
      .optional()
      .describe(`Relative weights of insert, update and delete actions; default ${JSON.stringify(defaultMix)}.`),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(32)
      .optional()
      .describe(
        `Actions in flight at once; default ${defaultConcurrency}, at most the pool size (SEEDER_PG_POOL_SIZE) minus 2.`,
      ),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
  })
  .strict()
  .meta({ example: deltaStartExample });

const Counts = z.record(z.string(), z.object({ insert: z.number(), update: z.number(), delete: z.number() }));
const StatusSchema = z.object({
  state: z.enum(['stopped', 'running', 'paused', 'waiting_for_database']),
  settings: z
    .object({
      ratePerSecond: z.number(),
      durationSeconds: z.number().optional(),
      mix: z.object({ insert: z.number(), update: z.number(), delete: z.number() }),
      concurrency: z.number(),
      seed: z.number().optional(),
    })
    .nullable(),
  startedAt: z.string().nullable(),
  stoppedAt: z.string().nullable(),
  elapsedSeconds: z.number(),
  achievedRate: z.number(),
  recentRate: z.number(),
  rowChanges: z.number(),
  actions: z.number(),
  conflicts: z.number().describe('actions that lost a lock race (deadlock, lock timeout) and were skipped'),
  constraintConflicts: z
    .number()
    .describe(
      'actions a foreign key or unique constraint rejected because another lane changed a row they read; skipped; always 0 with concurrency 1',
    ),
  errors: z.number(),
  lastError: z.string().nullable(),
  counts: Counts,
});

const plugin: FastifyPluginAsyncZod<{ deltas: DeltaGenerator }> = async (app, { deltas }) => {
  app.post(
    '/deltas/start',
    {
      schema: {
        tags: ['deltas'],
        summary: 'Start the delta generator',
        description:
          'Inserts, updates and deletes that follow the shop life cycle (orders placed, paid, shipped, delivered or ' +
          'cancelled; prices and stock change; customers move or are deleted with their orders), at a target rate.',
        body: DeltaStartBody,
        response: { 200: StatusSchema, 400: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (request) => deltas.start(request.body),
  );

  app.post(
    '/deltas/stop',
    { schema: { tags: ['deltas'], summary: 'Stop the delta generator', response: { 200: StatusSchema } } },
    async () => deltas.stop(),
  );

  app.get(
    '/deltas',
    {
      schema: {
        tags: ['deltas'],
        summary: 'Generator status: target and achieved rate, counts per table and operation',
        response: { 200: StatusSchema },
      },
    },
    async () => deltas.status(),
  );
};

export default plugin;
