/** The seeder as a local Node.js process (TypeScript run by tsx), on the same port as compose's. */
import path from 'node:path';
import { service } from '../component.js';
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

export const seeder = service({
  name: NAME,
  portKey: 'SEEDER_PORT',
  other: 'the other process',
  healthy: ready,
  startTimeoutMs: 60_000,
  stopTimeoutMs: 20_000,

  prepare: async (ctx) => ({
    command: process.execPath,
    args: ['--import', 'tsx', path.join(ROOT, 'seeder', 'src', 'main.ts')],
    cwd: ROOT,
    env: seederEnv(ctx.cfg),
  }),
});
