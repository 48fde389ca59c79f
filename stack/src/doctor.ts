/**
 * `doctor`: every prerequisite of the dockerless stack, found or not, with what to install. `up`
 * runs the same checks first and stops before anything starts when one it needs is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statfsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Context } from './component.js';
import { ROOT, type StackConfig } from './config.js';
import { findJava } from './java.js';
import { PREFERRED_JAVA } from './jvm.js';
import { MIN_PYTHON } from './python.js';
import { portOpen, runningPid } from './processes.js';

export interface Check {
  /** What is checked, for the line printed. */
  what: string;
  ok: boolean;
  /** What was found, or why not. */
  detail: string;
  /** What to do when it is missing. */
  fix?: string;
  /** Which commands need it: `up` stops when a check it needs fails; the rest only warn. */
  neededBy: 'up' | 'lakehouse';
}

/** package.json's "engines": ^20.19.0 || ^22.13.0 || >=24. */
export function nodeSupported(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return (major === 20 && minor >= 19) || (major === 22 && minor >= 13) || major >= 24;
}

export function checkNode(version = process.version): Check {
  return {
    what: 'Node.js',
    ok: nodeSupported(version),
    detail: `${version} (needs 20.19+, 22.13+ or 24+)`,
    fix: 'install Node.js 24 LTS (https://nodejs.org, or your distribution / nvm)',
    neededBy: 'up',
  };
}

function checkJava(min: number, purpose: string, env: NodeJS.ProcessEnv, prefer = min): Check {
  const what = `Java ${min}+ for ${purpose}`;
  try {
    const java = findJava(min, env, purpose, prefer);
    return { what, ok: true, detail: `${java.bin} (${java.major})`, neededBy: 'up' };
  } catch (err) {
    return {
      what,
      ok: false,
      detail: (err as Error).message,
      fix: `install a JDK ${min}+ (Temurin ${min}, or Debian/Ubuntu: apt-get install openjdk-${min}-jdk-headless) and set JAVA_HOME`,
      neededBy: 'up',
    };
  }
}

/** python3 of at least MIN_PYTHON with venv and ensurepip (Debian ships venv apart: python3-venv). */
export function checkPython(env: NodeJS.ProcessEnv = process.env): Check {
  const what = `Python ${MIN_PYTHON}+ with venv, for verify --lakehouse, fetch and the notebooks`;
  const res = spawnSync('python3', ['-c', 'import sys, venv, ensurepip; print("%d.%d.%d" % sys.version_info[:3])'], {
    encoding: 'utf8',
    env,
  });
  const fix = `install Python ${MIN_PYTHON}+ with venv (Debian/Ubuntu: apt-get install python3 python3-venv)`;
  if (res.error) return { what, ok: false, detail: 'no python3 on the PATH', fix, neededBy: 'lakehouse' };
  if (res.status !== 0) {
    const missing = /No module named '?(\w+)/.exec(res.stderr)?.[1];
    return {
      what,
      ok: false,
      detail: missing ? `python3 has no ${missing} module` : (res.stderr.trim().split('\n').at(-1) ?? 'python3 failed'),
      fix,
      neededBy: 'lakehouse',
    };
  }
  const version = res.stdout.trim();
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [wantMajor = 3, wantMinor = 0] = MIN_PYTHON.split('.').map(Number);
  const ok = major > wantMajor || (major === wantMajor && minor >= wantMinor);
  return { what, ok, detail: `python3 ${version}`, fix, neededBy: 'lakehouse' };
}

export function checkPsql(env: NodeJS.ProcessEnv = process.env): Check {
  const res = spawnSync('psql', ['--version'], { encoding: 'utf8', env });
  return {
    what: "psql, for the docs' SQL examples (any PostgreSQL client will do)",
    ok: !res.error && res.status === 0,
    detail: res.error ? 'no psql on the PATH' : res.stdout.trim(),
    fix: 'install the PostgreSQL client (Debian/Ubuntu: apt-get install postgresql-client; macOS: brew install libpq)',
    neededBy: 'lakehouse',
  };
}

/** Each port key of a layer and the component that holds it. */
const portsOf: Record<string, { key: keyof StackConfig['env']; component: string }[]> = {
  source: [
    { key: 'PG_PORT', component: 'postgres' },
    { key: 'SEEDER_PORT', component: 'seeder' },
  ],
  streaming: [
    { key: 'KAFKA_PORT', component: 'kafka' },
    { key: 'KAFKA_CONTROLLER_PORT', component: 'kafka' },
    { key: 'REGISTRY_PORT', component: 'registry' },
    { key: 'REGISTRY_MANAGEMENT_PORT', component: 'registry' },
    { key: 'CONNECT_PORT', component: 'connect' },
    { key: 'VIEW_PORT', component: 'view' },
  ],
  lakehouse: [],
};

/** Ports the layers need that something other than this stack holds. */
export async function checkPorts(cfg: StackConfig, layerNames: string[]): Promise<Check> {
  const wanted = layerNames.flatMap((l) => portsOf[l] ?? []);
  const taken: string[] = [];
  for (const { key, component } of wanted) {
    const port = cfg.env[key] as number;
    if (runningPid(cfg, component)) continue;
    if (await portOpen(port)) taken.push(`${key}=${port}`);
  }
  return {
    what: 'free ports on 127.0.0.1',
    ok: taken.length === 0,
    detail: taken.length
      ? `taken by a process this stack did not start: ${taken.join(', ')}`
      : wanted.map(({ key }) => cfg.env[key]).join(', '),
    fix: 'stop what holds them (ss -ltnp shows it), or set those keys in .env to free ports',
    neededBy: 'up',
  };
}

/** Downloads of a first run: ~1.2 GiB in .stack/lib, as much again in the Maven and pip caches. */
const FIRST_RUN_BYTES = 3 * 2 ** 30;
const RUN_BYTES = 2 ** 30;

export function checkDisk(cfg: StackConfig, firstRun: boolean): Check {
  const dir = [cfg.dirs.lib, cfg.home, ROOT].find((d) => existsSync(d)) ?? ROOT;
  const stats = statfsSync(dir);
  const free = stats.bavail * stats.bsize;
  const need = firstRun ? FIRST_RUN_BYTES : RUN_BYTES;
  const gib = (n: number) => `${(n / 2 ** 30).toFixed(1)} GiB`;
  return {
    what: 'disk space',
    ok: free >= need,
    detail: `${gib(free)} free at ${path.relative(ROOT, dir) || '.'}; needs ${gib(need)}${firstRun ? " for the first run's downloads" : ''}`,
    fix: 'free some space, or point STACK_HOME and STACK_LIB in .env at a larger disk',
    neededBy: 'up',
  };
}

/**
 * As root, PostgreSQL runs as an unprivileged system user (it refuses root), who must reach the
 * project's folder: a clone under /root or in a `mktemp -d` folder (mode 0700) fails at initdb.
 */
export function checkFolderAccess(dir = ROOT, uid = process.getuid?.()): Check {
  const what = "the project folder reachable by PostgreSQL's system user";
  if (uid !== 0) return { what, ok: true, detail: 'not run as root: PostgreSQL runs as you', neededBy: 'up' };
  const closed: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) closed.push(d);
    if (d === path.dirname(d)) break;
  }
  return {
    what,
    ok: closed.length === 0,
    detail: closed.length ? `others may not enter ${closed.join(', ')}` : 'every folder above it may be entered',
    fix: `clone somewhere others may enter (e.g. /srv or /opt), or chmod o+x ${closed.join(' ') || '<folder>'}`,
    neededBy: 'up',
  };
}

export async function runChecks(cfg: StackConfig, layerNames: string[], firstRun: boolean): Promise<Check[]> {
  const checks = [
    checkNode(),
    checkJava(17, 'Kafka, Connect and Flyway', process.env, PREFERRED_JAVA),
    ...(layerNames.includes('streaming') ? [checkJava(21, 'Apicurio Registry', process.env)] : []),
    checkPython(),
    checkPsql(),
    await checkPorts(cfg, layerNames),
    checkDisk(cfg, firstRun),
    checkFolderAccess(),
  ];
  return checks;
}

export function checkLines(checks: Check[]): string[] {
  return checks.map((c) => {
    const mark = c.ok ? 'ok     ' : c.neededBy === 'up' ? 'MISSING' : 'warn   ';
    return `${mark} ${c.what}: ${c.detail}${!c.ok && c.fix ? `\n        → ${c.fix}` : ''}`;
  });
}

/** The checks `up` needs, failed: empty when it may start. */
export const blocking = (checks: Check[]) => checks.filter((c) => !c.ok && c.neededBy === 'up');

export async function doctor(ctx: Context, layerNames: string[], firstRun: boolean): Promise<boolean> {
  const checks = await runChecks(ctx.cfg, layerNames, firstRun);
  for (const line of checkLines(checks)) process.stdout.write(`${line}\n`);
  return blocking(checks).length === 0;
}
