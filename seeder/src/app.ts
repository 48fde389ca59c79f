import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { DestinationStream } from 'pino';
import type { Config } from './config.js';
import { guardRequests } from './request-guard.js';
import { createPool, type Pool } from './db/pool.js';
import { DeltaGenerator } from './deltas/generator.js';
import { SeedError, toSeedError, type SeedErrorKind } from './errors.js';
import { FullLoads } from './loads/jobs.js';
import { redactPaths } from './log.js';
import deltaRoutes from './routes/deltas.js';
import fullLoadRoutes from './routes/full-load.js';
import statusRoutes from './routes/status.js';

const statusOf = {
  invalid: 400,
  not_found: 404,
  busy: 409,
  not_running: 409,
  db_unavailable: 503,
  not_ready: 503,
  load_failed: 500,
} satisfies Record<SeedErrorKind, number>;

export interface AppDeps {
  pool?: Pool;
  /** Where log lines go (default stdout, JSON); main.ts passes a pretty stream at a terminal. */
  logStream?: DestinationStream | undefined;
}

export interface SeederApp extends FastifyInstance {
  deltas: DeltaGenerator;
  loads: FullLoads;
  pool: Pool;
}

/** Builds the seeder API; never listens (main.ts does, tests use inject). */
export async function buildApp(config: Config, deps: AppDeps = {}): Promise<SeederApp> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: redactPaths,
      ...(deps.logStream ? { stream: deps.logStream } : {}),
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const pool = deps.pool ?? createPool(config.db, app.log);
  // Every lane holds a connection; keep one for a full load and one for reads.
  const deltas = new DeltaGenerator(pool, app.log, Math.max(1, config.db.poolSize - 2));
  const loads = new FullLoads(pool, deltas, app.log, config.renderThreads);
  app.decorate('pool', pool);
  app.decorate('deltas', deltas);
  app.decorate('loads', loads);

  // No page elsewhere acts through this port (DNS rebinding, cross-site POSTs): request-guard.ts.
  guardRequests(app, 'seeder', config.http.allowedHosts);

  app.setErrorHandler((err, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.map((v) => {
        const field =
          v.instancePath.replace(/^\//, '').replace(/\//g, '.') ||
          (v.params as { issue?: { path?: unknown[] } })?.issue?.path?.join('.') ||
          '';
        return { field, message: v.message ?? 'is invalid' };
      });
      const where = err.validationContext ?? 'request';
      const first = issues[0];
      return reply.code(400).send({
        message: issues
          .map((i) => (i.field ? `${where}.${i.field}: ${i.message}` : `${where}: ${i.message}`))
          .join('; '),
        ...(first?.field ? { field: first.field } : {}),
      });
    }
    const e = toSeedError(err);
    if (e instanceof SeedError) {
      const status = statusOf[e.kind];
      (status >= 500 ? request.log.warn : request.log.info).call(request.log, { kind: e.kind }, e.message);
      return reply.code(status).send({ message: e.message, ...(e.field ? { field: e.field } : {}) });
    }
    const statusCode = (err as { statusCode?: number }).statusCode;
    if (statusCode && statusCode >= 400 && statusCode < 500) {
      return reply.code(statusCode).send({ message: (err as Error).message });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ message: 'internal error; the seeder log has the details' });
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Storefront seeder',
        description:
          'Fills the storefront database with a consistent dataset (full load) and keeps it changing (deltas), so that ' +
          'Debezium has something to capture.',
        version: '0.1.0',
      },
      tags: [
        { name: 'full load', description: 'Bulk-load a consistent dataset' },
        { name: 'deltas', description: 'A continuous stream of realistic changes' },
        { name: 'status', description: 'Health, readiness and row counts' },
      ],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  await app.register(statusRoutes, { pool, loads });
  await app.register(fullLoadRoutes, { loads });
  await app.register(deltaRoutes, { deltas });

  app.addHook('onClose', async () => {
    // Together: the lanes leave the load's gate at once, and the load rolls back at its next chunk.
    await Promise.all([deltas.stop(), loads.close()]);
    if (!deps.pool) await pool.end();
  });

  return app as unknown as SeederApp;
}
