/** The seeder as a local Node.js process (TypeScript run by tsx), on the same port as compose's. */
import path from 'node:path';
import { serviceStatus, startService, stopService, type Component, type Context } from '../component.js';
import { ROOT, type StackConfig } from '../config.js';

const NAME = 'seeder';

async function ready(cfg: StackConfig): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${cfg.env.SEEDER_PORT}/ready`, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** Everything the seeder reads, from the stack's validated config (which may override .env). */
function seederEnv(cfg: StackConfig): NodeJS.ProcessEnv {
  const e = cfg.env;
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    PG_HOST: '127.0.0.1',
    PG_PORT: String(e.PG_PORT),
    PG_USER: e.PG_USER,
    PG_PASSWORD: e.PG_PASSWORD,
    PG_DATABASE: e.PG_DATABASE,
    DEBEZIUM_PG_USER: e.DEBEZIUM_PG_USER,
    DEBEZIUM_PG_PASSWORD: e.DEBEZIUM_PG_PASSWORD,
    SEEDER_PG_USER: e.SEEDER_PG_USER,
    SEEDER_PG_PASSWORD: e.SEEDER_PG_PASSWORD,
    SEEDER_HOST: '127.0.0.1',
    SEEDER_PORT: String(e.SEEDER_PORT),
    LOG_LEVEL: e.LOG_LEVEL,
    SEED_ON_START: e.SEED_ON_START,
    DELTAS_ON_START: e.DELTAS_ON_START,
  };
}

export const seeder: Component = {
  name: NAME,
  kind: 'service',

  up: (ctx: Context) =>
    startService(ctx, {
      spawn: {
        name: NAME,
        command: process.execPath,
        args: ['--import', 'tsx', path.join(ROOT, 'seeder', 'src', 'main.ts')],
        cwd: ROOT,
        env: seederEnv(ctx.cfg),
        port: ctx.cfg.env.SEEDER_PORT,
      },
      port: ctx.cfg.env.SEEDER_PORT,
      healthy: () => ready(ctx.cfg),
      timeoutMs: 60_000,
      portHint: 'stop the other process, or set SEEDER_PORT in .env to a free port',
    }),

  status: (ctx) => serviceStatus(ctx, NAME, ctx.cfg.env.SEEDER_PORT, () => ready(ctx.cfg)),

  down: (ctx) => stopService(ctx, NAME, 'SIGTERM', 20_000),
};
