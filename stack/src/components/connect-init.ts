/**
 * Runs compose/connect-init.sh, the very script the compose service runs: it fills
 * connectors/*.template.json from the environment, upserts them and waits for RUNNING.
 */
import path from 'node:path';
import { StackError, type Component } from '../component.js';
import { ROOT } from '../config.js';
import { runCapturing, tail } from '../processes.js';
import { connectUrl } from './connect.js';

const NAME = 'connect-init';

export const connectInit: Component = {
  name: NAME,
  kind: 'task',
  // The publication and the Debezium role come from the migrations.
  // The registry too: connect may be up before it (it starts after Kafka alone), and the task's
  // first record needs the registry.
  needs: ['flyway', 'registry'],

  async up(ctx) {
    const { cfg } = ctx;
    const { code, output } = await runCapturing(cfg, {
      name: NAME,
      command: 'sh',
      args: [path.join(ROOT, 'compose', 'connect-init.sh')],
      cwd: ROOT,
      env: {
        ...process.env,
        // Every .env value is there for the templates, as compose's env_file gives them.
        ...cfg.raw,
        CONNECT_URL: connectUrl(cfg),
        CONNECTORS_DIR: path.join(ROOT, 'connectors'),
        // The database as Connect reaches it: on this machine, the host port. Set both to
        // register against the compose stack's Connect (postgres, 5432).
        CONNECT_PG_HOST: cfg.raw.CONNECT_PG_HOST ?? '127.0.0.1',
        CONNECT_PG_PORT: cfg.raw.CONNECT_PG_PORT ?? String(cfg.env.PG_PORT),
      },
    });
    if (code !== 0) {
      throw new StackError(
        NAME,
        `registering the connectors failed (exit ${code})`,
        'read the lines above; fix, then run up again (it is safe to repeat)',
        tail(cfg, NAME, 40),
      );
    }
    const lines = output
      .trim()
      .split('\n')
      .map((l) => l.replace(/^connect-init\.sh: /, ''));
    // What the script notes for the user (a connector re-created with its old offsets, say).
    for (const line of lines) if (line.startsWith('note: ')) ctx.say(`${NAME}: ${line}`);
    return lines.at(-1) ?? 'done';
  },

  async status() {
    return { name: NAME, state: 'not run', detail: 'runs during up; see its log' };
  },
};
