/**
 * The Python environment the lakehouse's reader runs in (notebooks/lakehouse.py, with pyiceberg and
 * DuckDB): a virtual environment per version of notebooks/requirements-lakehouse.txt, created once
 * with the machine's python3 and wheels from PyPI (pip caches them in ~/.cache/pip). The file is a
 * lock with the SHA-256 of every wheel (`npm run stack -- lock` compiles it from
 * requirements-lakehouse.in), and pip installs it with --require-hashes: a wheel that differs, or a
 * dependency the lock does not name, stops the install.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StackError, type Context } from './component.js';
import { ROOT } from './config.js';
import { withLibLock } from './lib-lock.js';
import { runToLog, tail } from './processes.js';

/** The lowest Python the locks are compiled for (duckdb 2 and pandas 3 need 3.11). */
export const MIN_PYTHON = '3.11';

export const LAKEHOUSE_REQUIREMENTS = path.join(ROOT, 'notebooks', 'requirements-lakehouse.txt');

/** The environment's python, installing the environment first if needed. */
export async function lakehousePython(ctx: Context): Promise<string> {
  const requirements = readFileSync(LAKEHOUSE_REQUIREMENTS);
  const hash = createHash('sha256').update(requirements).digest('hex').slice(0, 12);
  const dir = path.join(ctx.cfg.dirs.lib, `pyvenv-lakehouse-${hash}`);
  const python = path.join(dir, 'bin', 'python');
  if (existsSync(path.join(dir, '.complete'))) return python;
  await withLibLock(ctx, dir, async () => {
    if (!existsSync(path.join(dir, '.complete'))) await install(ctx, dir);
  });
  return python;
}

async function install(ctx: Context, dir: string): Promise<void> {
  ctx.say(
    `first run: installing pyiceberg and DuckDB from PyPI into ${path.relative(ROOT, dir)} (notebooks/requirements-lakehouse.txt, ~150 MB)`,
  );
  // Built in place (a virtual environment's scripts name its folder), complete once marked.
  rmSync(dir, { recursive: true, force: true });
  const log = 'pip-lakehouse';
  const step = async (command: string, args: string[], what: string) => {
    const code = await runToLog(ctx.cfg, { name: log, command, args, cwd: ROOT }).catch(() => 127);
    if (code !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new StackError(
        'python',
        `${what} failed (exit ${code})`,
        'the lakehouse reader needs Python 3.11+ with venv (Debian: apt-get install python3-venv) and PyPI; npm run stack -- doctor checks',
        tail(ctx.cfg, log, 15),
      );
    }
  };
  await step('python3', ['-m', 'venv', dir], 'creating a virtual environment with python3');
  await step(
    path.join(dir, 'bin', 'pip'),
    [
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--require-hashes',
      '--only-binary=:all:',
      '-r',
      LAKEHOUSE_REQUIREMENTS,
    ],
    'pip install -r notebooks/requirements-lakehouse.txt',
  );
  writeFileSync(path.join(dir, '.complete'), new Date().toISOString());
}
