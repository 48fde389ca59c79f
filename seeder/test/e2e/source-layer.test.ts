/**
 * The source layer as a user runs it: `npm run stack -- up source` (real PostgreSQL, real Flyway,
 * the seeder as its own process), driven over real HTTP, then `status`, a second `up`, `down`.
 */
import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../../stack/src/config.js';
import { freePort } from '../support/test-stack.js';
import { claimHome } from '../../../stack/test/support/stack-cli.js';

const run = promisify(execFile);
const HOME = '.stack/e2e';
let env: NodeJS.ProcessEnv;
let releaseHome: (() => void) | undefined;
let base: string;

const stack = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'stack/src/cli.ts'), ...args], {
    cwd: ROOT,
    env,
    timeout: 240_000,
  });

beforeAll(async () => {
  const [pgPort, seederPort] = [await freePort(), await freePort()];
  env = { ...process.env, STACK_HOME: HOME, PG_PORT: String(pgPort), SEEDER_PORT: String(seederPort) };
  base = `http://127.0.0.1:${seederPort}`;
  releaseHome = await claimHome(env);
  const { stdout } = await stack('up', 'source');
  console.log(stdout);
});

afterAll(async () => {
  releaseHome?.();
  await stack('down', '--wipe').catch((err: unknown) => console.error(err));
});

describe('npm run stack -- up source', () => {
  it('serves the API and Swagger UI over HTTP', async () => {
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    const docs = await fetch(`${base}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui');
  });

  it('runs the full load of the README and lands exactly what was asked', async () => {
    const res = await fetch(`${base}/full-load`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customers: 2000, products: 300, orders: 5000, seed: 7 }),
    });
    expect(res.status).toBe(202);
    let job = (await res.json()) as {
      id: string;
      status: string;
      rowsPerSecond: number;
      rows: number;
      elapsedSeconds: number;
    };
    while (job.status === 'running') {
      await new Promise((r) => setTimeout(r, 200));
      job = (await (await fetch(`${base}/jobs/${job.id}`)).json()) as typeof job;
    }
    expect(job.status).toBe('succeeded');
    console.log(`e2e full load over HTTP: ${job.rows} rows in ${job.elapsedSeconds} s = ${job.rowsPerSecond} rows/s`);

    // As the README shows it: psql as the superuser from .env.
    const client = new pg.Client({
      host: '127.0.0.1',
      port: Number(env.PG_PORT),
      user: 'postgres',
      password: 'postgres',
      database: 'storefront',
    });
    await client.connect();
    try {
      const { rows } = await client.query(
        'SELECT (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM orders) AS orders',
      );
      expect(rows[0]).toEqual({ customers: '2000', orders: '5000' });
    } finally {
      await client.end();
    }
  });

  it('answers 400 naming the field for bad input', async () => {
    const res = await fetch(`${base}/full-load`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"customers":-5}',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('customers');
  });

  it('reports status, and a second up notices what already runs', async () => {
    const { stdout: status } = await stack('status');
    expect(status).toMatch(new RegExp(`postgres\\s+up\\s+pid \\d+\\s+127\\.0\\.0\\.1:${env.PG_PORT}`));
    expect(status).toMatch(new RegExp(`seeder\\s+up\\s+pid \\d+\\s+127\\.0\\.0\\.1:${env.SEEDER_PORT}`));
    const { stdout: again } = await stack('up', 'source');
    expect(again).toMatch(/postgres: already running/);
    expect(again).toMatch(/is up to date/);
    expect(again).toMatch(/seeder: already running/);
  });

  it('shows a component log', async () => {
    const { stdout } = await stack('logs', 'seeder', '-n', '50');
    expect(stdout).toContain('full load done');
  });

  it('reports a port taken by something else by name, and what to do', async () => {
    const otherEnv = { ...env, STACK_HOME: `${HOME}-other` };
    const err = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'stack/src/cli.ts'), 'up', 'source'], {
      cwd: ROOT,
      env: otherEnv,
    }).catch((e: unknown) => e as { code: number; stderr: string });
    expect(err).toMatchObject({ code: 1 });
    // up checks every port before it starts anything (the same check as npm run stack -- doctor).
    const { stderr } = err as { stderr: string };
    expect(stderr).toContain('nothing was started');
    expect(stderr).toMatch(
      new RegExp(`taken by a process this stack did not start: PG_PORT=${env.PG_PORT}, SEEDER_PORT=${env.SEEDER_PORT}`),
    );
    expect(stderr).toMatch(/→ stop what holds them .*, or set those keys in \.env to free ports/);
    expect(existsSync(path.join(ROOT, `${HOME}-other`, 'data'))).toBe(false);
    rmSync(path.join(ROOT, `${HOME}-other`), { recursive: true, force: true });
  });

  it('stops what it started with down', async () => {
    const { stdout } = await stack('down');
    expect(stdout).toMatch(/seeder: stopped/);
    expect(stdout).toMatch(/postgres: stopped/);
    await expect(fetch(`${base}/health`)).rejects.toThrow();
    const { stdout: status } = await stack('status');
    expect(status).toMatch(/postgres\s+down/);
    expect(status).toMatch(/seeder\s+down/);
  });
});
