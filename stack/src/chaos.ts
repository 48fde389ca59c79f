/**
 * npm run stack -- chaos <component|all>: break the pipeline on purpose and count what was lost.
 * Starts deltas, kills a component with SIGKILL mid-stream, brings it back the way `up` does,
 * waits until the stream has caught up again, stops the deltas and runs `verify`.
 */
import type pg from 'pg';
import { StackError, type Component, type Context } from './component.js';
import type { StackConfig } from './config.js';
import { endOffsets, totalEvents, verifyPipeline, type VerifyReport } from './cdc/verify.js';
import { superuserClient } from './components/postgres.js';
import { layers } from './layers.js';
import { waitForCapture } from './operations.js';
import { isAlive, runningPid, sleep, waitUntil } from './processes.js';
import { status, up } from './stack.js';

/** The components chaos can kill, in the order `all` kills them. */
export const chaosTargets = ['postgres', 'kafka', 'registry', 'connect', 'seeder'] as const;
export type ChaosTarget = (typeof chaosTargets)[number];

export interface ChaosOptions {
  /** Delta rate, row changes per second. */
  rate: number;
  /** How long deltas run; the kill comes after a third of it. */
  seconds: number;
}

export interface ChaosReport {
  component: ChaosTarget;
  /** Kill to healthy again, brought back as `up` does. */
  downtimeSeconds: number;
  /** Kill to every change committed by then in Kafka again (the slot confirmed it). */
  recoverSeconds: number;
  /** Change events in the captured topics before the run and after it. */
  eventsBefore: number;
  eventsAfter: number;
  /** Row changes the seeder reports it made during the run (lower bound after a seeder kill). */
  rowChanges: number;
  /** Rows missing, extra or different in the replica after the run: must be 0. */
  lost: number;
  /** Events of this run delivered more than once (at least once delivery). */
  duplicates: number;
  verify: VerifyReport;
  ok: boolean;
}

const seederUrl = (cfg: StackConfig) => `http://127.0.0.1:${cfg.env.SEEDER_PORT}`;

async function seederCall(cfg: StackConfig, path: string, body?: object): Promise<Record<string, unknown>> {
  const res = await fetch(`${seederUrl(cfg)}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : null,
    signal: AbortSignal.timeout(30_000),
  }).catch((err: unknown) => {
    throw new StackError(
      'chaos',
      `the seeder did not answer ${path}: ${(err as Error).message}`,
      'npm run stack -- status',
    );
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new StackError('chaos', `the seeder answered ${path} with ${res.status}: ${String(json.message)}`);
  return json;
}

/**
 * SIGKILL to the component's process group: the process and everything it started, no goodbye.
 * Returns once it is gone, so `up` starts a new one instead of waiting for the dying one.
 */
async function kill(ctx: Context, name: string): Promise<void> {
  const rec = runningPid(ctx.cfg, name);
  if (!rec) throw new StackError('chaos', `${name} is not running here`, 'npm run stack -- up');
  try {
    process.kill(-rec.pid, 'SIGKILL');
  } catch {
    process.kill(rec.pid, 'SIGKILL');
  }
  if (!(await waitUntil(async () => !isAlive(rec.pid), 10_000, 50)))
    throw new StackError('chaos', `${name} (pid ${rec.pid}) is still alive 10 s after SIGKILL`);
}

const layerOf = (name: string) =>
  Object.entries(layers).find(([, stages]) => stages.flat().some((c: Component) => c.name === name))![0];

/** Refuses to start unless every component runs here and no deltas are being generated. */
async function preflight(ctx: Context): Promise<void> {
  const down = (await status(ctx)).filter((s) => s.state === 'down' || s.state === 'starting');
  if (down.length > 0)
    throw new StackError(
      'chaos',
      `${down.map((s) => `${s.name} is ${s.state}`).join(', ')}: chaos needs the whole dockerless stack running`,
      'npm run stack -- up. With Docker, run the experiment by hand: see docs/proving.md, "Break it on purpose"',
    );
  const deltas = await seederCall(ctx.cfg, '/deltas');
  if (deltas.state === 'running' || deltas.state === 'paused')
    throw new StackError(
      'chaos',
      'the seeder is generating deltas already',
      `stop them first: curl -X POST ${seederUrl(ctx.cfg)}/deltas/stop`,
    );
}

export async function chaos(ctx: Context, target: ChaosTarget, options: ChaosOptions): Promise<ChaosReport> {
  const { cfg } = ctx;
  await preflight(ctx);
  const db = superuserClient(cfg, cfg.env.PG_DATABASE);
  await db.connect();
  let connected = true;
  db.on('error', () => (connected = false)); // postgres may be the one killed
  try {
    const before = await endOffsets(cfg);
    await seederCall(cfg, '/deltas/start', { ratePerSecond: options.rate });
    const started = Date.now();
    const killAfter = Math.max(2, options.seconds / 3) * 1000;
    ctx.say(`deltas at ${options.rate} row changes/s; killing ${target} in ${killAfter / 1000} s`);
    await sleep(killAfter);

    let changesBeforeKill = 0;
    if (target === 'seeder') changesBeforeKill = Number((await seederCall(cfg, '/deltas')).rowChanges);
    await kill(ctx, target);
    const killedAt = Date.now();
    ctx.say(`${target}: killed (SIGKILL); bringing it back as up does`);
    await up(ctx, [layerOf(target)]);
    const downtimeSeconds = (Date.now() - killedAt) / 1000;
    ctx.say(`${target}: back after ${downtimeSeconds.toFixed(1)} s`);
    if (target === 'seeder') await seederCall(cfg, '/deltas/start', { ratePerSecond: options.rate });

    // Recovered: every change committed up to now is in Kafka again.
    const client = connected ? db : await reconnect(cfg);
    await waitForCapture(client, 180_000).catch((err: unknown) => {
      throw new StackError(
        'chaos',
        `the stream did not catch up within 180 s after ${target} came back: ${(err as Error).message}`,
        'npm run stack -- status; npm run stack -- verify says why',
      );
    });
    const recoverSeconds = (Date.now() - killedAt) / 1000;
    ctx.say(`stream caught up ${recoverSeconds.toFixed(1)} s after the kill`);

    await sleep(Math.max(0, started + options.seconds * 1000 - Date.now()));
    const stopped = await seederCall(cfg, '/deltas/stop', {});
    ctx.say('deltas stopped; verifying');
    const report = await verifyPipeline(cfg, client, { since: before });
    if (client !== db) await client.end();
    const after = await endOffsets(cfg);
    const lost = report.tables.reduce((n, t) => n + t.missing + t.extra + t.differing, 0);
    return {
      component: target,
      downtimeSeconds,
      recoverSeconds,
      eventsBefore: Number(totalEvents(before)),
      eventsAfter: Number(totalEvents(after)),
      rowChanges: changesBeforeKill + Number(stopped.rowChanges),
      lost,
      duplicates: report.tables.reduce((n, t) => n + t.recentDuplicates, 0),
      verify: report,
      ok: report.ok,
    };
  } finally {
    await seederCall(cfg, '/deltas/stop', {}).catch(() => undefined);
    await db.end().catch(() => undefined);
  }
}

async function reconnect(cfg: StackConfig): Promise<pg.Client> {
  const client = superuserClient(cfg, cfg.env.PG_DATABASE);
  await client.connect();
  return client;
}

export function chaosLines(r: ChaosReport): string[] {
  return [
    `${r.component}: down ${r.downtimeSeconds.toFixed(1)} s (kill to healthy), stream caught up ${r.recoverSeconds.toFixed(1)} s after the kill`,
    `  events ${r.eventsBefore} before, ${r.eventsAfter} after (+${r.eventsAfter - r.eventsBefore}); ${r.rowChanges} row changes made`,
    `  changes lost: ${r.lost}; duplicates delivered: ${r.duplicates} (at least once)`,
    `  ${r.ok ? 'ok: the replica rebuilt from the change events equals the source' : 'LOST: the replica differs from the source'}`,
  ];
}
