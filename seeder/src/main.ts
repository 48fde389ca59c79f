import { buildApp } from './app.js';
import { loadConfig, ownSettings, SeederEnv, settingsOrExit } from './config.js';
import { prettyLogStream } from './log.js';
import { populateOnStart } from './populate.js';

async function main(): Promise<void> {
  const config = settingsOrExit('seeder', () => loadConfig(ownSettings(SeederEnv)));
  // Human-readable logs for a person at a terminal; JSON lines otherwise (and in the image).
  const app = await buildApp(config, { logStream: process.stdout.isTTY ? await prettyLogStream() : undefined });

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
  // Warm render threads for the first full load (a test's app starts them only when a load needs them).
  app.loads.prepareRenderers();
  populateOnStart(app, config).catch((err: unknown) => app.log.error({ err }, 'populating on start failed'));
}

void main();
