/** Runs `npm run stack -- ...` (the CLI itself) with a test environment. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Context } from '../../src/component.js';
import { loadStackConfig, ROOT } from '../../src/config.js';
import { freePort } from '../../../seeder/test/support/test-stack.js';

const run = promisify(execFile);

export function stackCli(env: NodeJS.ProcessEnv) {
  return (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'stack/src/cli.ts'), ...args], {
      cwd: ROOT,
      env,
      timeout: 300_000,
    });
}

/** Free ports for every component, and a home of its own: never the developer's playground. */
export async function isolatedEnv(home: string): Promise<NodeJS.ProcessEnv> {
  const names = [
    'PG_PORT',
    'SEEDER_PORT',
    'KAFKA_PORT',
    'KAFKA_CONTROLLER_PORT',
    'REGISTRY_PORT',
    'REGISTRY_MANAGEMENT_PORT',
    'CONNECT_PORT',
    'AKHQ_PORT',
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, STACK_HOME: home };
  for (const name of names) env[name] = String(await freePort());
  return env;
}

export function contextFor(env: NodeJS.ProcessEnv): Context {
  return { cfg: loadStackConfig(env), say: () => undefined };
}
