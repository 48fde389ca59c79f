/**
 * The pipeline view (view/) as a local Node.js process: the same app as compose's `view` service,
 * pointed at the published endpoints on this machine.
 */
import path from 'node:path';
import { service } from '../component.js';
import { ROOT, type StackConfig } from '../config.js';
import { httpOk } from '../processes.js';
import { ViewEnv } from '../../../view/src/config.js';
import { connectUrl } from './connect.js';
import { brokers } from './kafka.js';
import { ccompatUrl } from './registry.js';

export const viewUrl = (cfg: StackConfig) => `http://127.0.0.1:${cfg.env.VIEW_PORT}`;

/** Every key of ViewEnv: where each endpoint is on this machine, and the view's own role. */
export function viewEnv(cfg: StackConfig): Record<keyof ViewEnv, string> & NodeJS.ProcessEnv {
  const e = cfg.env;
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    VIEW_HOST: '127.0.0.1',
    VIEW_PORT: String(e.VIEW_PORT),
    VIEW_RUNS_IN: 'local',
    HTTP_ALLOWED_HOSTS: cfg.raw.HTTP_ALLOWED_HOSTS ?? '',
    PG_HOST: '127.0.0.1',
    PG_PORT: String(e.PG_PORT),
    PG_DATABASE: e.PG_DATABASE,
    VIEW_PG_USER: e.VIEW_PG_USER,
    VIEW_PG_PASSWORD: e.VIEW_PG_PASSWORD,
    KAFKA_BOOTSTRAP: brokers(cfg).join(','),
    REGISTRY_URL: ccompatUrl(cfg),
    CONNECT_URL: connectUrl(cfg),
    SEEDER_URL: `http://127.0.0.1:${e.SEEDER_PORT}`,
  };
}

export const view = service({
  name: 'view',
  portKey: 'VIEW_PORT',
  other: 'the other process',
  healthy: (cfg) => httpOk(`${viewUrl(cfg)}/health`),
  startTimeoutMs: 60_000,
  stopTimeoutMs: 15_000,
  prepare: async (ctx) => ({
    command: process.execPath,
    args: ['--import', 'tsx', path.join(ROOT, 'view', 'src', 'main.ts')],
    cwd: ROOT,
    env: viewEnv(ctx.cfg),
  }),
});
