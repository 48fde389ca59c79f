/**
 * Nothing left running: a bench run interrupted with Ctrl-C (SIGINT) stops the JVMs and servers it
 * started (they run in process groups of their own, so the signal never reaches them); and what a
 * run killed outright (SIGKILL, no handler runs) left in its home is stopped by the next run's
 * claim on that home, before it deletes it. The dockerless stack only: compose stops containers.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { ROOT } from '../../src/config.js';
import { isAlive } from '../../src/processes.js';
import { claimHome, isolatedEnv, stackCli } from '../support/stack-cli.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pids a home's pid files name. */
function recordedPids(home: string): number[] {
  const run = path.join(ROOT, home, 'run');
  if (!existsSync(run)) return [];
  return readdirSync(run)
    .filter((f) => f.endsWith('.json'))
    .map((f) => (JSON.parse(readFileSync(path.join(run, f), 'utf8')) as { pid: number }).pid);
}

/** Every process whose command line names the home's folder: the JVMs and PostgreSQL do. */
function processesNaming(home: string): number[] {
  const dir = path.join(ROOT, home);
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

const commandLine = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').slice(0, 300);
  } catch {
    return '(gone)';
  }
};

async function allGone(pids: number[], timeoutMs = 15_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(250);
    alive = alive.filter(isAlive);
  }
  return alive;
}

describe.runIf(inject('backend') === 'local')('nothing left running', () => {
  it('a bench run stopped with Ctrl-C stops every process it started', async () => {
    const home = '.stack/e2e-interrupt-bench';
    await claimHome(await isolatedEnv(home)).then((release) => release());
    const bench = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'run.ts'), '--smoke'], {
      cwd: ROOT,
      env: { ...process.env, BENCH_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
      // A process group of its own, as a terminal's foreground job: Ctrl-C signals the whole group.
      detached: true,
    });
    let output = '';
    bench.stdout.on('data', (b: Buffer) => (output += b.toString()));
    bench.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const exited = new Promise<number | null>((resolve) => bench.on('exit', (code) => resolve(code)));
    try {
      // Interrupted while it starts the stack: PostgreSQL and Kafka are running, more are starting.
      let pids: number[] = [];
      for (let i = 0; i < 240 && pids.filter(isAlive).length < 3; i++) {
        await sleep(500);
        pids = recordedPids(home);
      }
      expect(pids.filter(isAlive).length, output).toBeGreaterThanOrEqual(3);
      process.kill(-bench.pid!, 'SIGINT');
      const code = await Promise.race([exited, sleep(90_000).then(() => 'still running' as const)]);
      expect(code, output).toBe(130);
      expect(output).toMatch(/SIGINT: stopping what this run started in \.stack\/e2e-interrupt-bench/);
      expect((await allGone([...pids, ...recordedPids(home)])).map((pid) => `${pid}: ${commandLine(pid)}`)).toEqual([]);
      const left = await allGone(processesNaming(home));
      expect(left.map((pid) => `${pid}: ${commandLine(pid)}`)).toEqual([]);
    } finally {
      bench.kill('SIGKILL');
      await claimHome(await isolatedEnv(home)).then((release) => release());
    }
  }, 240_000);

  it('a run killed outright leaves processes that the next run on its home stops first', async () => {
    const home = '.stack/e2e-interrupt-kill';
    const env = await isolatedEnv(home);
    await claimHome(env).then((release) => release());
    await stackCli(env)('up', 'source');
    const left = recordedPids(home).filter(isAlive);
    expect(left.length).toBeGreaterThanOrEqual(2);
    // As the next run of the bench or of a test begins.
    const release = await claimHome(await isolatedEnv(home));
    release();
    expect(await allGone(left)).toEqual([]);
    expect(existsSync(path.join(ROOT, home))).toBe(false);
  }, 180_000);
});
