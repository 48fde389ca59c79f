import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorSchema } from './error-schema.js';
import { defaultHistory, historyLimits } from '../domain/history.js';
import type { FullLoads } from '../loads/jobs.js';

/**
 * What Swagger UI's "Try it out" prefills: the README's first load (about 30k rows, a second or
 * two), never the schema's maxima.
 */
export const fullLoadExample = { customers: 2000, products: 300, orders: 5000, seed: 7 };

const strength = (rhythm: 'seasonality' | 'weekly' | 'daily') =>
  z.number().min(0).max(historyLimits[rhythm]).optional();

/** Each field of domain/history.ts's HistoryShape, with its bounds; a field left out takes its default. */
const HistoryBody = z
  .object({
    growth: z
      .number()
      .min(1)
      .max(historyLimits.growth)
      .optional()
      .describe(
        `Orders and sign-ups per day at the end of the two years over those at the start. Default ${defaultHistory.growth}; 1: no growth.`,
      ),
    seasonality: strength('seasonality').describe(
      `Strength of the seasons: Black Friday to Cyber Monday (x3 on the day), December to Christmas (x1.6), a quiet January (x0.8). Default ${defaultHistory.seasonality}; 0: none.`,
    ),
    weekly: strength('weekly').describe(
      `Strength of the weekly rhythm in local time: Sundays and Mondays busiest, Saturdays quietest. Default ${defaultHistory.weekly}; 0: none.`,
    ),
    daily: strength('daily').describe(
      `Strength of the daily cycle in the customers' local time (US time zones): few orders at 4 a.m., the peak at 8 p.m. Default ${defaultHistory.daily}; 0: none.`,
    ),
  })
  .strict();

/** Sane upper bounds: a 2-core laptop loads the largest in minutes, not hours. */
export const FullLoadBody = z
  .object({
    customers: z.number().int().min(0).max(5_000_000).describe('Customers to create (each with 1-2 addresses).'),
    products: z.number().int().min(0).max(1_000_000).describe('Products to create (each with an inventory row).'),
    orders: z
      .number()
      .int()
      .min(0)
      .max(20_000_000)
      .describe('Orders to create, with items, payments and shipments as their status says.'),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional()
      .describe('Same seed, same until, empty database: the same data.'),
    until: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('End of the simulated two years of history; default: start of the current UTC day.'),
    history: HistoryBody.optional().describe(
      'The shape of the history in time: growth, seasons, weekly rhythm, daily cycle. Left out: the defaults. ' +
        'All rhythms 0 and growth 1: the same number of orders every hour of the two years.',
    ),
  })
  .strict()
  .meta({ example: fullLoadExample })
  .superRefine((b, ctx) => {
    if (b.orders > 0 && b.customers === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['customers'],
        message: 'orders need customers: customers must be > 0 when orders > 0',
      });
    if (b.orders > 0 && b.products === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['products'],
        message: 'orders need products: products must be > 0 when orders > 0',
      });
  });

const JobSchema = z.object({
  id: z.uuid(),
  status: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  request: z.object({
    customers: z.number(),
    products: z.number(),
    orders: z.number(),
    seed: z.number(),
    until: z.string(),
    history: z.object({ growth: z.number(), seasonality: z.number(), weekly: z.number(), daily: z.number() }),
  }),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  percent: z.number(),
  rows: z.number().describe('Rows written so far (committed only when status is succeeded).'),
  rowsPerTable: z.record(z.string(), z.number()).nullable(),
  elapsedSeconds: z.number(),
  rowsPerSecond: z.number(),
  error: z.string().nullable(),
});

const plugin: FastifyPluginAsyncZod<{ loads: FullLoads }> = async (app, { loads }) => {
  app.post(
    '/full-load',
    {
      schema: {
        tags: ['full load'],
        summary: 'Start a full load',
        description:
          'Writes a consistent dataset in one transaction (all or nothing) with bulk COPY. Answers 202 with a job to poll at ' +
          '/jobs/{id}; with ?wait=true it answers when the load has finished. One load at a time: a second gets 409.',
        body: FullLoadBody,
        querystring: z.object({
          // Query values arrive as text ("true"/"false"); the document says boolean, so Swagger UI
          // offers true/false instead of a free-text field.
          wait: z
            .stringbool()
            .default(false)
            .describe('Answer only when the load has finished.')
            .meta({ type: 'boolean', default: false }),
        }),
        response: { 200: JobSchema, 202: JobSchema, 400: ErrorSchema, 409: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      const job = loads.start(request.body);
      if (!request.query.wait) {
        return reply.code(202).header('location', `/jobs/${job.id}`).send(job);
      }
      return reply.code(200).send(await loads.wait(job.id));
    },
  );

  app.get(
    '/jobs/:id',
    {
      schema: {
        tags: ['full load'],
        summary: 'Progress of a full load',
        params: z.object({ id: z.uuid() }),
        response: { 200: JobSchema, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => loads.get(request.params.id),
  );

  app.delete(
    '/jobs/:id',
    {
      schema: {
        tags: ['full load'],
        summary: 'Cancel a running full load',
        description:
          'Stops the load and rolls its transaction back: nothing of it remains. Answers once it has rolled back, with ' +
          'the job (status cancelled); the delta generator resumes if the load paused it. A finished job gets 409.',
        params: z.object({ id: z.uuid() }),
        response: { 200: JobSchema, 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (request) => loads.cancel(request.params.id),
  );
};

export default plugin;
