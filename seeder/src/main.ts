import 'dotenv/config';
import { createRequire } from 'node:module';
import { buildApp, type SeederApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { countRows, checkReadiness } from './db/status-repository.js';

/** pino-pretty only for a person at a terminal, and only where it is installed (not in the image). */
function prettyTransport(): { target: string } | undefined {
  if (!process.stdout.isTTY) return undefined;
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return { target: 'pino-pretty' };
  } catch {
    return undefined;
  }
}

/** SEED_ON_START and DELTAS_ON_START: wait for migrations, then populate without a click. */
async function populateOnStart(app: SeederApp, config: Config): Promise<void> {
  if (!config.seedOnStart && !config.deltasOnStart) return;
  for (let attempt = 1; ; attempt++) {
    const ready = await checkReadiness(app.pool).catch((err: Error) => ({ ready: false, reason: err.message }));
    if (ready.ready) break;
    if (attempt % 10 === 1) app.log.info({ reason: ready.reason }, 'waiting for the database before populating');
    await new Promise((r) => setTimeout(r, 1_000));
    if (app.server.listening === false) return;
  }
  if (config.seedOnStart) {
    const counts = await countRows(app.pool);
    if (counts.customers > 0) {
      app.log.info({ customers: counts.customers }, 'SEED_ON_START skipped: the database already has customers');
    } else {
      const s = config.seedOnStart;
      const job = app.loads.start({
        customers: s.customers ?? 0,
        products: s.products ?? 0,
        orders: s.orders ?? 0,
        seed: s.seed,
      });
      await app.loads.wait(job.id).catch(() => undefined);
    }
  }
  if (config.deltasOnStart) {
    app.deltas.start({
      ratePerSecond: config.deltasOnStart,
      mix: { insert: 0.35, update: 0.55, delete: 0.1 },
      concurrency: 4,
    });
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`seeder: ${err.message}\nFix .env (or the environment) and start again.\n`);
      process.exit(2);
    }
    throw err;
  }
  const transport = prettyTransport();
  const app = await buildApp(config, {}, transport ? { logger: { level: config.logLevel, transport } } : {});

  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: stopping deltas, rolling back a running load, closing the pool');
    const timer = setTimeout(() => {
      app.log.error('shutdown took longer than 15 s; exiting');
      process.exit(1);
    }, 15_000);
    timer.unref();
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void close('SIGTERM'));
  process.on('SIGINT', () => void close('SIGINT'));

  try {
    await app.listen({ host: config.http.host, port: config.http.port });
  } catch (err) {
    const code = (err as { code?: string }).code;
    app.log.error(
      { err: (err as Error).message },
      code === 'EADDRINUSE'
        ? `port ${config.http.port} is taken; stop what uses it or set SEEDER_PORT`
        : 'could not listen',
    );
    process.exit(1);
  }
  app.log.info({ docs: `http://${config.http.host}:${config.http.port}/docs` }, 'seeder ready');
  populateOnStart(app, config).catch((err: unknown) => app.log.error({ err }, 'populating on start failed'));
}

void main();
