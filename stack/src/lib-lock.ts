/**
 * One writer per downloads folder entry: two `up`s (or `up` and `fetch`) started together would
 * both fill `<dir>.partial` and rename it over the other's. Each entry of .stack/lib is built under
 * a lock (proper-lockfile: a `<dir>.lock` folder whose mtime its holder refreshes, so the lock of a
 * killed process goes stale in seconds), and the second comes in after the first and finds it done.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import type { Context } from './component.js';
import { ROOT } from './config.js';

/** Runs `build` holding the lock of .stack/lib/<name>; says so when it has to wait for another process. */
export async function withLibLock<T>(ctx: Context, dir: string, build: () => Promise<T>): Promise<T> {
  mkdirSync(path.dirname(dir), { recursive: true });
  const options = { realpath: false, lockfilePath: `${dir}.lock`, stale: 20_000 };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, options);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
    ctx.say(`waiting for another process of this stack that is preparing ${path.relative(ROOT, dir)}`);
    // About 20 minutes: a first download of the registry on a slow line.
    release = await lockfile.lock(dir, { ...options, retries: { retries: 1200, factor: 1, minTimeout: 1000 } });
  }
  try {
    return await build();
  } finally {
    await release().catch(() => undefined);
  }
}
