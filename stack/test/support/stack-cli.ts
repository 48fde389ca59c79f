/** Runs `npm run stack -- ...` (the CLI itself) with a test environment. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Context } from '../../src/component.js';
import { loadStackConfig, ROOT } from '../../src/config.js';
import { downOnSignals, freshHome } from '../../src/stack.js';
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

/** Every port the stack or compose publishes: each gets a free one in an isolated environment. */
export const portNames = [
  'PG_PORT',
  'SEEDER_PORT',
  'KAFKA_PORT',
  'KAFKA_CONTROLLER_PORT',
  'REGISTRY_PORT',
  'REGISTRY_MANAGEMENT_PORT',
  'CONNECT_PORT',
  'AKHQ_PORT',
  'VIEW_PORT',
];

/** Free ports for every component, and a home of its own: never the developer's playground. */
export async function isolatedEnv(home: string): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...process.env, STACK_HOME: home };
  for (const name of portNames) env[name] = String(await freePort());
  return env;
}

// `tsx stack/test/support/stack-cli.ts <home>` prints `export KEY=value` lines for a shell
// (.ci/run's notebook stack uses it).
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const env = await isolatedEnv(process.argv[2] ?? '.stack/isolated');
  for (const key of ['STACK_HOME', ...portNames]) process.stdout.write(`export ${key}=${env[key]}\n`);
}

export function contextFor(env: NodeJS.ProcessEnv): Context {
  return { cfg: loadStackConfig(env), say: () => undefined };
}

/**
 * A test's home, as the bench takes its own: what an interrupted run left running there is stopped
 * and the home deleted; then Ctrl-C (or the runner's SIGTERM) stops what this run starts in it.
 * Returns the unregistration of that handler, for afterAll.
 */
export async function claimHome(env: NodeJS.ProcessEnv): Promise<() => void> {
  const ctx = contextFor(env);
  await freshHome(ctx);
  return downOnSignals(ctx);
}
