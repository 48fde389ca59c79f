/** The pipeline view's process: `npm run stack -- up` starts it (and the compose service `view`). */
import { ownSettings, settingsOrExit } from '../../seeder/src/config.js';
import { buildView } from './app.js';
import { loadViewConfig, ViewEnv } from './config.js';

async function main(): Promise<void> {
  const env = settingsOrExit('view', () => loadViewConfig(ownSettings(ViewEnv)));
  const app = await buildView(env);
  const close = async () => {
    setTimeout(() => process.exit(1), 10_000).unref();
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void close());
  process.on('SIGINT', () => void close());
  try {
    await app.listen({ host: env.VIEW_HOST, port: env.VIEW_PORT });
  } catch (err) {
    const code = (err as { code?: string }).code;
    app.log.error(
      code === 'EADDRINUSE'
        ? `port ${env.VIEW_PORT} is taken; stop what uses it or set VIEW_PORT`
        : (err as Error).message,
    );
    process.exit(1);
  }
  app.log.info(`pipeline view on http://${env.VIEW_HOST}:${env.VIEW_PORT}`);
}

void main();
