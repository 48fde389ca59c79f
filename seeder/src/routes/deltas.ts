import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorSchema } from './error-schema.js';
import { defaultConcurrency, defaultMix, type DeltaGenerator } from '../deltas/generator.js';
import { peakFactor } from '../deltas/pacing.js';

const weight = z.number().min(0).max(1000);

/** What Swagger UI's "Try it out" prefills: a gentle stream for a minute, easy to watch. */
export const deltaStartExample = { ratePerSecond: 20, durationSeconds: 60 };

/**
 * The examples Swagger UI offers beside it, one per profile, as small: a "day" in ten minutes
 * averaging 20 changes/s, and a flash sale of 5x 20/s for 10 s every 30 s, for two minutes.
 */
export const deltaStartExamples = {
  steady: { summary: 'steady: 20 changes/s for a minute', value: deltaStartExample },
  daily: {
    summary: "daily: a day's cycle in 10 minutes, averaging 20 changes/s",
    value: { ratePerSecond: 20, durationSeconds: 600, profile: { kind: 'daily', periodSeconds: 600 } },
  },
  burst: {
    summary: 'burst: a flash sale of 5x 20 changes/s for 10 s every 30 s, for 2 minutes',
    value: {
      ratePerSecond: 20,
      durationSeconds: 120,
      profile: { kind: 'burst', multiplier: 5, burstSeconds: 10, everySeconds: 30 },
    },
  },
};

/** The highest target a run may reach: its base rate times the profile's peak. */
export const MAX_RATE = 50_000;

const Profile = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('steady') }).strict(),
    z
      .object({
        kind: z.literal('daily'),
        periodSeconds: z
          .number()
          .min(10)
          .max(7 * 86_400)
          .default(600)
          .describe('Length of one compressed "day": 600 (the default) runs a day\'s cycle in ten minutes.'),
      })
      .strict(),
    z
      .object({
        kind: z.literal('burst'),
        multiplier: z
          .number()
          .gt(1)
          .max(100)
          .default(5)
          .describe('The rate during a burst, as a multiple of ratePerSecond (default 5).'),
        burstSeconds: z.number().positive().max(86_400).default(10).describe('How long each burst lasts (default 10).'),
        everySeconds: z
          .number()
          .positive()
          .max(86_400)
          .default(30)
          .describe('A burst starts every this many seconds, the first after this many (default 30).'),
      })
      .strict()
      .refine((p) => p.burstSeconds < p.everySeconds, {
        message: 'burstSeconds must be shorter than everySeconds',
        path: ['burstSeconds'],
      }),
  ])
  .describe(
    'How the target moves around ratePerSecond over time. steady (the default): constant. daily: the full ' +
      "load's daily cycle compressed into periodSeconds, from midnight, averaging ratePerSecond (about 0.1x before " +
      'dawn, 2x at the evening peak). burst: a flash sale, multiplier x ratePerSecond for burstSeconds every everySeconds.',
  );

export const DeltaStartBody = z
  .object({
    ratePerSecond: z
      .number()
      .positive()
      .max(MAX_RATE)
      .describe('Target row changes per second (cascaded deletes included); with a profile, the rate it moves around.'),
    profile: Profile.optional(),
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
  .superRefine((b, ctx) => {
    if (b.profile && b.ratePerSecond * peakFactor(b.profile) > MAX_RATE)
      ctx.addIssue({
        code: 'custom',
        path: ['profile'],
        message: `ratePerSecond x the profile's peak (${peakFactor(b.profile).toFixed(2)}x) must stay at or under ${MAX_RATE} changes/s`,
      });
  })
  .meta({ example: deltaStartExample, 'x-examples': deltaStartExamples });

const Counts = z.record(z.string(), z.object({ insert: z.number(), update: z.number(), delete: z.number() }));
const StatusSchema = z.object({
  state: z.enum(['stopped', 'running', 'paused', 'waiting_for_database']),
  settings: z
    .object({
      ratePerSecond: z.number(),
      profile: Profile,
      durationSeconds: z.number().optional(),
      mix: z.object({ insert: z.number(), update: z.number(), delete: z.number() }),
      concurrency: z.number(),
      seed: z.number().optional(),
    })
    .nullable(),
  startedAt: z.string().nullable(),
  stoppedAt: z.string().nullable(),
  elapsedSeconds: z.number(),
  targetRate: z.number().describe('row changes per second the profile asks for now; 0 when stopped'),
  achievedRate: z.number().describe('row changes per second since the start'),
  recentRate: z.number().describe('row changes per second over the last few seconds'),
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
