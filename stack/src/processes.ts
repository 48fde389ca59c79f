/**
 * Detached local processes with a pid file and a log file each, under the stack's home. The
 * stack only ever signals pids it recorded itself, so `down` stops what `up` started and nothing
 * else.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { StackConfig } from './config.js';

export interface PidRecord {
  pid: number;
  port?: number | undefined;
  startedAt: string;
  command: string;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const logFile = (cfg: StackConfig, name: string) => path.join(cfg.dirs.logs, `${name}.log`);
const pidFile = (cfg: StackConfig, name: string) => path.join(cfg.dirs.run, `${name}.json`);

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readPid(cfg: StackConfig, name: string): PidRecord | null {
  const file = pidFile(cfg, name);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
  } catch {
    return null;
  }
}

/** The recorded process, if it is still alive. */
export function runningPid(cfg: StackConfig, name: string): PidRecord | null {
  const rec = readPid(cfg, name);
  return rec && isAlive(rec.pid) ? rec : null;
}

export function forgetPid(cfg: StackConfig, name: string): void {
  rmSync(pidFile(cfg, name), { force: true });
}

export interface SpawnSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  port?: number;
  uid?: number;
  gid?: number;
}

let spawning = true;
/** The tasks running now (Flyway, Maven, Kafka's tools): children of this process, not detached. */
const tasks = new Set<ChildProcess>();

/**
 * After an interrupt: a start still under way must not leave a process behind once `down` ran,
 * and a task it runs (Flyway retrying against a database that is going away) ends now.
 */
/** True once stopSpawning ran: a failure after it is the interrupt's, which the handler reports. */
export const interrupted = () => !spawning;

export function stopSpawning(): void {
  spawning = false;
  for (const task of tasks) task.kill('SIGTERM');
}

/** Starts a long-running process in its own process group, detached from this CLI. */
export function spawnDetached(cfg: StackConfig, spec: SpawnSpec): PidRecord {
  if (!spawning) throw new Error(`not starting ${spec.name}: this run was interrupted`);
  mkdirSync(cfg.dirs.run, { recursive: true });
  mkdirSync(cfg.dirs.logs, { recursive: true });
  const log = openSync(logFile(cfg, spec.name), 'a');
  const options: SpawnOptions = {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    detached: true,
    stdio: ['ignore', log, log],
    ...(spec.uid !== undefined ? { uid: spec.uid, gid: spec.gid } : {}),
  };
  const child = spawn(spec.command, spec.args, options);
  closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
  child.unref();
  const rec: PidRecord = {
    pid: child.pid,
    port: spec.port,
    startedAt: new Date().toISOString(),
    command: [spec.command, ...spec.args].join(' '),
  };
  writeFileSync(pidFile(cfg, spec.name), JSON.stringify(rec, null, 2));
  return rec;
}

/** Runs a command to completion with its output appended to the component's log. */
export function runToLog(cfg: StackConfig, spec: SpawnSpec): Promise<number> {
  mkdirSync(cfg.dirs.logs, { recursive: true });
  const log = openSync(logFile(cfg, spec.name), 'a');
  return new Promise((resolve, reject) => {
    if (!spawning) {
      closeSync(log);
      return reject(new Error(`not running ${spec.name}: this run was interrupted`));
    }
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      stdio: ['ignore', log, log],
      ...(spec.uid !== undefined ? { uid: spec.uid, gid: spec.gid } : {}),
    });
    tasks.add(child);
    child.on('error', (err) => {
      tasks.delete(child);
      closeSync(log);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      tasks.delete(child);
      closeSync(log);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

/** Like runToLog, and also returns what this run wrote to the log. */
export async function runCapturing(cfg: StackConfig, spec: SpawnSpec): Promise<{ code: number; output: string }> {
  const file = logFile(cfg, spec.name);
  const start = existsSync(file) ? readFileSync(file).length : 0;
  const code = await runToLog(cfg, spec);
  return { code, output: readFileSync(file).subarray(start).toString('utf8') };
}

/** Sends `signal`, waits up to `timeoutMs` for the process to end, then kills it. */
export async function stopPid(
  pid: number,
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<'stopped' | 'killed' | 'gone'> {
  if (!isAlive(pid)) return 'gone';
  try {
    process.kill(pid, signal);
  } catch {
    return 'gone';
  }
  if (await waitUntil(async () => !isAlive(pid), timeoutMs, 100)) return 'stopped';
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  return 'killed';
}

/** True when something accepts connections on 127.0.0.1:port. */
export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The last `lines` lines of a component's log. */
export function tail(cfg: StackConfig, name: string, lines = 20): string {
  const file = logFile(cfg, name);
  if (!existsSync(file)) return '(no log yet)';
  const text = readFileSync(file, 'utf8').trimEnd().split('\n');
  return text.slice(-lines).join('\n');
}

/** True when a GET of `url` answers 2xx within `timeoutMs`: the HTTP health probes. */
export async function httpOk(url: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })).ok;
  } catch {
    return false;
  }
}

/** Polls `check` every `intervalMs` until it is true (then true) or `timeoutMs` passed (false). */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 200): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
}

/**
 * The fields of /proc/<pid>/stat after "pid (comm) " (comm may contain spaces, so they are read
 * after the last ')'): state is [0], ppid [1], utime [11], stime [12]. Undefined once it is gone.
 */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The pid and all its descendants (Linux /proc; elsewhere just the pid). */
function processTree(pid: number): number[] {
  if (!existsSync('/proc')) return [pid];
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (!fields) continue; // gone meanwhile
    const ppid = Number(fields[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

/**
 * CPU seconds (user + system) spent so far by a process and its children, from /proc; undefined
 * where there is no /proc. Sampled twice, the difference over the wall time is the share of a core
 * it used (PostgreSQL's backends are children of the postmaster, so they count with it). Children
 * that have exited count too: once reaped, their time is in the process's cutime and cstime
 * (without them, a backend that ended between two samples took its time with it).
 */
export function cpuSeconds(pid: number): number | undefined {
  if (!existsSync('/proc')) return undefined;
  let ticks = 0;
  for (const p of processTree(pid)) {
    const fields = statFields(p);
    if (!fields) continue;
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    // cutime, cstime: its reaped children's; a live descendant's own are counted as it is walked.
    if (p === pid) ticks += Number(fields[13]) + Number(fields[14]);
  }
  clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return ticks / clockTicks;
}

/** The kernel's USER_HZ, the unit of /proc/<pid>/stat's times. */
let clockTicks: number | undefined;

/**
 * Memory of a process and its children in MiB: the proportional set size (shared pages split
 * between the processes sharing them, so PostgreSQL's shared buffers count once), or the RSS
 * where /proc has no smaps_rollup.
 */
export function memoryMiB(pid: number): number | undefined {
  let kib = 0;
  for (const p of processTree(pid)) {
    try {
      const text = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      kib += Number(/^Pss:\s+(\d+) kB/m.exec(text)?.[1] ?? 0);
    } catch {
      const res = spawnSync('ps', ['-o', 'rss=', '-p', String(p)], { encoding: 'utf8' });
      const rss = Number(res.stdout.trim());
      if (!Number.isFinite(rss)) return undefined;
      kib += rss;
    }
  }
  return Math.round(kib / 1024);
}
