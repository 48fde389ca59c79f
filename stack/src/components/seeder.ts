/** The seeder as a local Node.js process (TypeScript run by tsx), on the same port as compose's. */
import path from 'node:path';
import { serviceStatus, startService, stopService, type Component, type Context } from '../component.js';
import { SeederEnv } from '../../../seeder/src/config.js';
import { ROOT, type StackConfig } from '../config.js';
import { httpOk } from '../processes.js';

const NAME = 'seeder';

const ready = (cfg: StackConfig) => httpOk(`http://127.0.0.1:${cfg.env.SEEDER_PORT}/ready`);

/**
 * Everything the seeder reads: every key of its own schema (SeederEnv) that .env or the
 * environment sets, then where it runs here (the database on this machine, 127.0.0.1).
 */
export function seederEnv(cfg: StackConfig): NodeJS.ProcessEnv {
  const settings = Object.fromEntries(
    Object.keys(SeederEnv.shape).flatMap((key) => (cfg.raw[key] === undefined ? [] : [[key, cfg.raw[key]]])),
  );
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    ...settings,
    PG_HOST: '127.0.0.1',
    PG_PORT: String(cfg.env.PG_PORT),
    SEEDER_HOST: '127.0.0.1',
    SEEDER_PORT: String(cfg.env.SEEDER_PORT),
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
