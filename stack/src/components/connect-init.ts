/**
 * Runs compose/connect-init.sh, the very script the compose service runs: it fills
 * connectors/*.template.json from the environment, upserts them and waits for RUNNING.
 */
import path from 'node:path';
import { StackError, type Component, type Context } from '../component.js';
import { ROOT } from '../config.js';
import { runCapturing, tail } from '../processes.js';
import { connectUrl } from './connect.js';

const NAME = 'connect-init';

/**
 * Runs compose/connect-init.sh over one folder of templates, as `name` (its log's name), and
 * returns its last line. The lakehouse layer registers its sink the same way.
 */
export async function registerConnectors(
  ctx: Context,
  name: string,
  connectorsDir: string,
  env: Record<string, string> = {},
): Promise<string> {
  const { cfg } = ctx;
  const { code, output } = await runCapturing(cfg, {
    name,
    command: 'sh',
    args: [path.join(ROOT, 'compose', 'connect-init.sh')],
    cwd: ROOT,
    env: {
      ...process.env,
      // Every .env value is there for the templates, as compose's env_file gives them.
      ...cfg.raw,
      CONNECT_URL: connectUrl(cfg),
      CONNECTORS_DIR: connectorsDir,
      // The database as Connect reaches it: on this machine, the host port. Set both to
      // register against the compose stack's Connect (postgres, 5432).
      CONNECT_PG_HOST: cfg.raw.CONNECT_PG_HOST ?? '127.0.0.1',
      CONNECT_PG_PORT: cfg.raw.CONNECT_PG_PORT ?? String(cfg.env.PG_PORT),
      ...env,
    },
  });
  if (code !== 0) {
    throw new StackError(
      name,
      `registering the connectors of ${path.relative(ROOT, connectorsDir)} failed (exit ${code})`,
      'read the lines above; fix, then run up again (it is safe to repeat)',
      tail(cfg, name, 40),
    );
  }
  const lines = output
    .trim()
    .split('\n')
    .map((l) => l.replace(/^connect-init\.sh: /, ''));
  // What the script notes for the user (a connector re-created with its old offsets, say).
  for (const line of lines) if (line.startsWith('note: ')) ctx.say(`${name}: ${line}`);
  return lines.at(-1) ?? 'done';
}

export const connectInit: Component = {
  name: NAME,
  kind: 'task',
  // The publication and the Debezium role come from the migrations.
  // The registry too: connect may be up before it (it starts after Kafka alone), and the task's
  // first record needs the registry.
  needs: ['flyway', 'registry'],

  up: (ctx) => registerConnectors(ctx, NAME, path.join(ROOT, 'connectors')),

  async status() {
    return { name: NAME, state: 'not run', detail: 'runs during up; see its log' };
  },
};
