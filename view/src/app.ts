/**
 * The pipeline view: server-rendered pages (Eta templates) that htmx refreshes in place. Reads
 * are GETs; every action (connector pause/resume/restart, deltas start/stop) is a POST, refused
 * from another site's page.
 */
import { guardRequests } from '../../seeder/src/request-guard.js';
import { createRequire } from 'node:module';
import path from 'node:path';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import { Eta } from 'eta';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { createDecoder } from '../../stack/src/cdc/avro.js';
import type { ViewEnv } from './config.js';
import { upCommand, type ComponentName } from './hints.js';
import { ago, eventRow, formatBytes, pipelineView, shortName, topicOf, type EventRow } from './model.js';
import { Monitor } from './monitor.js';
import { connectorAction, connectorActions, type ConnectorAction } from './sources/connect.js';
import { HttpFailure, Unreachable } from './sources/http.js';
import { kafkaClient, KafkaOffsets, Tail } from './sources/kafka.js';
import { viewPool } from './sources/postgres.js';
import { describeSubjects } from './sources/registry.js';
import { startDeltas, stopDeltas } from './sources/seeder.js';

const here = import.meta.dirname;
/** Templates and the stylesheet sit beside src/ (and beside dist/ in the image). */
const VIEW_ROOT = path.resolve(here, '..');
const htmxDir = path.dirname(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'));

/** Events the topic view shows (and the tail keeps per topic). */
export const EVENTS_SHOWN = 50;

const number = new Intl.NumberFormat('en-US');
const helpers = {
  n: (v: number | null | undefined, digits = 0) =>
    v === null || v === undefined ? '–' : number.format(Number(v.toFixed(digits))),
  ms: (v: number | null) => (v === null ? '–' : `${Math.round(v)} ms`),
  bytes: formatBytes,
  ago,
  time: (t: number | null) => (t === null ? '–' : new Date(t).toISOString().replace('T', ' ').replace('Z', ' UTC')),
  pretty: (schema: string) => {
    try {
      return JSON.stringify(JSON.parse(schema), null, 2);
    } catch {
      return schema;
    }
  },
};

/** A failed action, said on the page: what happened and, when a component is down, what to run. */
interface Flash {
  kind: 'ok' | 'error';
  message: string;
  hint?: string;
}

export async function buildView(env: ViewEnv) {
  const app = Fastify({ logger: { level: 'info' }, disableRequestLogging: true });
  const eta = new Eta({ views: path.join(VIEW_ROOT, 'templates'), cache: true });
  const pool = viewPool(env);
  const kafka = kafkaClient(env.KAFKA_BOOTSTRAP);
  const decoder = createDecoder(env.REGISTRY_URL);
  const monitor = new Monitor(env, pool, new KafkaOffsets(kafka), new Tail(kafka, decoder, EVENTS_SHOWN));

  await app.register(formbody);
  await app.register(fastifyStatic, { root: path.join(VIEW_ROOT, 'public'), prefix: '/static/' });
  await app.register(fastifyStatic, { root: htmxDir, prefix: '/static/htmx/', decorateReply: false });

  const page = (reply: FastifyReply, template: string, data: object, status = 200) =>
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(eta.render(template, { ...data, h: helpers, runsIn: env.VIEW_RUNS_IN }));

  const failure = (err: unknown, component: ComponentName): Flash => {
    if (err instanceof Unreachable)
      return { kind: 'error', message: err.message, hint: upCommand(component, env.VIEW_RUNS_IN) };
    return { kind: 'error', message: (err as Error).message };
  };

  /** After a POST: the refreshed fragment for htmx, or back to the page for a plain form. */
  const afterAction = async (request: FastifyRequest, reply: FastifyReply, flash: Flash, status?: number) => {
    await monitor.refresh();
    const code = status ?? (flash.kind === 'ok' ? 200 : 502);
    if (request.headers['hx-request'])
      return page(reply, './pipeline-live', { view: pipelineView(await monitor.watch()), flash }, code);
    if (code >= 400)
      return reply
        .code(code)
        .type('text/plain')
        .send(`${flash.message}${flash.hint ? `\nwhat to try: ${flash.hint}` : ''}`);
    return reply.redirect('/', 303);
  };

  // A page elsewhere on the web can submit a form to 127.0.0.1, or rebind its name to it: an action
  // must come from this page, to one of our names (seeder/src/request-guard.ts).
  guardRequests(app, 'view', env.HTTP_ALLOWED_HOSTS);

  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/', async (_request, reply) => {
    const view = pipelineView(await monitor.watch());
    return page(reply, './pipeline', { view, flash: null });
  });

  app.get('/pipeline/live', async (_request, reply) =>
    page(reply, './pipeline-live', { view: pipelineView(await monitor.watch()), flash: null }),
  );

  /** The same view model as JSON, for scripts and tests. */
  app.get('/api/pipeline', async () => pipelineView(await monitor.watch()));

  app.post<{ Params: { action: string } }>('/connector/:action', async (request, reply) => {
    const action = request.params.action as ConnectorAction;
    if (!connectorActions.includes(action))
      return reply
        .code(404)
        .type('text/plain')
        .send(`no action "${action}": one of ${connectorActions.join(', ')}`);
    const view = pipelineView(await monitor.watch());
    if (!view.connector)
      return afterAction(request, reply, {
        kind: 'error',
        message: 'no connector to act on: Kafka Connect is down or none is registered',
        hint: upCommand(
          view.components.find((c) => c.name === 'connect')!.up ? 'connector' : 'connect',
          env.VIEW_RUNS_IN,
        ),
      });
    try {
      await connectorAction(env.CONNECT_URL, view.connector.name, action);
      return afterAction(request, reply, { kind: 'ok', message: `${action} requested for ${view.connector.name}` });
    } catch (err) {
      return afterAction(request, reply, failure(err, 'connect'));
    }
  });

  app.post<{ Body: { rate?: string } | undefined }>('/deltas/start', async (request, reply) => {
    const raw = request.body?.rate ?? '';
    const rate = Number(raw);
    if (raw === '' || !Number.isFinite(rate) || rate <= 0 || rate > 50_000)
      return afterAction(
        request,
        reply,
        {
          kind: 'error',
          message: `the rate must be a number of changes per second, above 0 and at most 50000, not "${raw}"`,
        },
        400,
      );
    try {
      await startDeltas(env.SEEDER_URL, rate);
      return afterAction(request, reply, { kind: 'ok', message: `deltas started at ${rate}/s` });
    } catch (err) {
      // The seeder's own refusal (409: already running) is the user's to read, as it said it.
      if (err instanceof HttpFailure)
        return afterAction(
          request,
          reply,
          { kind: 'error', message: err.message },
          err.status < 500 ? err.status : 502,
        );
      return afterAction(request, reply, failure(err, 'seeder'));
    }
  });

  app.post('/deltas/stop', async (request, reply) => {
    try {
      await stopDeltas(env.SEEDER_URL);
      return afterAction(request, reply, { kind: 'ok', message: 'deltas stopped' });
    } catch (err) {
      return afterAction(request, reply, failure(err, 'seeder'));
    }
  });

  /** The latest events of a table's topic, decoded (each shown as why not, when it cannot be). */
  const events = async (table: string) => {
    const snapshot = await monitor.watch();
    const c = snapshot.connector;
    const captured = c?.tables.map(shortName) ?? [];
    if (!c || !captured.includes(table)) return { captured, rows: null };
    const topic = topicOf(
      c,
      c.tables.find((t) => shortName(t) === table)!,
    );
    const tail = [...(snapshot.tail.get(topic) ?? [])].reverse();
    const rows: EventRow[] = await Promise.all(
      tail.map(async (e) =>
        eventRow(
          e,
          await monitor.tail.decode(e).catch((err: unknown) => new Error(`not decoded: ${(err as Error).message}`)),
          decoder.schemaId,
        ),
      ),
    );
    return { captured, rows, topic, view: pipelineView(snapshot) };
  };

  const notCaptured = (reply: FastifyReply, table: string, captured: string[]) =>
    page(
      reply,
      './message',
      {
        title: `No table ${table}`,
        message: captured.length
          ? `captured tables: ${captured.join(', ')}`
          : 'no connector is known yet: is Kafka Connect up?',
      },
      404,
    );

  app.get<{ Params: { table: string } }>('/topics/:table', async (request, reply) => {
    const { table } = request.params;
    const r = await events(table);
    if (!r.rows) return notCaptured(reply, table, r.captured);
    return page(reply, './topic', { table, ...r });
  });

  app.get<{ Params: { table: string } }>('/topics/:table/live', async (request, reply) => {
    const { table } = request.params;
    const r = await events(table);
    if (!r.rows) return notCaptured(reply, table, r.captured);
    return page(reply, './topic-live', { table, ...r });
  });

  app.get('/schemas', async (_request, reply) => {
    const view = pipelineView(await monitor.watch());
    try {
      const subjects = await describeSubjects(env.REGISTRY_URL);
      return page(reply, './schemas', { view, subjects, error: null });
    } catch (err) {
      return page(reply, './schemas', { view, subjects: [], error: failure(err, 'registry') }, 502);
    }
  });

  app.setNotFoundHandler((request, reply) =>
    page(reply, './message', { title: 'Not found', message: `nothing at ${request.url}` }, 404),
  );
  app.setErrorHandler((err: Error & { statusCode?: number }, _request, reply) => {
    app.log.error({ err }, 'request failed');
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    return page(reply, './message', { title: 'Something went wrong', message: err.message }, status);
  });

  app.addHook('onClose', async () => {
    await monitor.close();
    await pool.end();
  });
  return app;
}
