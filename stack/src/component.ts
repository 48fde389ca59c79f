import type { StackConfig } from './config.js';
import {
  forgetPid,
  isAlive,
  memoryMiB,
  portOpen,
  runningPid,
  spawnDetached,
  stopPid,
  tail,
  waitUntil,
  type SpawnSpec,
} from './processes.js';

/** A failure the user can act on: which component, why, the end of its log and what to try. */
export class StackError extends Error {
  constructor(
    readonly component: string,
    message: string,
    readonly hint?: string,
    readonly logTail?: string,
  ) {
    super(message);
  }
}

export interface Context {
  cfg: StackConfig;
  /** Progress for the person at the terminal. */
  say: (message: string) => void;
}

export interface ComponentStatus {
  name: string;
  state: 'up' | 'down' | 'starting' | 'done' | 'not run';
  pid?: number | undefined;
  port?: number | undefined;
  /** Proportional memory of the process and its children. */
  memoryMiB?: number | undefined;
  detail?: string | undefined;
}

/**
 * The shape every component has: what it needs (needs), how it starts and is known healthy
 * (up), how it is seen (status) and how it stops (down). Tasks run to completion during `up`.
 */
export interface Component {
  name: string;
  kind: 'service' | 'task';
  /** Components of other layers this one needs first, when their layer is started too. */
  needs?: string[];
  /**
   * Of the previous stage of its layer, only these (by default all of it): Connect needs Kafka
   * to start, and the registry only once a record is converted (connect-init waits for that).
   */
  after?: string[];
  up(ctx: Context): Promise<string>;
  status(ctx: Context): Promise<ComponentStatus>;
  down?(ctx: Context): Promise<string | null>;
}

export interface ServiceSpec {
  spawn: SpawnSpec;
  port: number;
  healthy: () => Promise<boolean>;
  timeoutMs: number;
  /** Said when the port is taken by something this stack did not start. */
  portHint: string;
}

type Env = StackConfig['env'];
/** The .env keys that hold a number: ports. */
type PortKey = { [K in keyof Env]-?: Env[K] extends number ? K : never }[keyof Env];

/**
 * A long-running process on a port from .env. Only how it is prepared and spawned differs from
 * one service to the next; starting it unless it runs, waiting until it is healthy, its status
 * and stopping it are the same for all, here.
 */
export interface ServiceDefinition {
  name: string;
  /** The .env key of its port. */
  portKey: PortKey;
  /** Who else might hold the port, for the hint: "the other Kafka". */
  other: string;
  healthy: (cfg: StackConfig) => Promise<boolean>;
  startTimeoutMs: number;
  stopSignal?: NodeJS.Signals;
  stopTimeoutMs: number;
  needs?: string[];
  after?: string[];
  /** Downloads, config files, one-off set-up; then what to run. */
  prepare: (ctx: Context) => Promise<Omit<SpawnSpec, 'name' | 'port'>>;
  /** Once it is healthy the first time (postgres: its init scripts). */
  afterStart?: (ctx: Context) => Promise<void>;
}

export function service(def: ServiceDefinition): Component {
  const port = (cfg: StackConfig) => cfg.env[def.portKey];
  return {
    name: def.name,
    kind: 'service',
    ...(def.needs ? { needs: def.needs } : {}),
    ...(def.after ? { after: def.after } : {}),
    async up(ctx) {
      const spawn = await def.prepare(ctx);
      const summary = await startService(ctx, {
        spawn: { ...spawn, name: def.name, port: port(ctx.cfg) },
        port: port(ctx.cfg),
        healthy: () => def.healthy(ctx.cfg),
        timeoutMs: def.startTimeoutMs,
        portHint: `stop ${def.other}, or set ${def.portKey} in .env to a free port`,
      });
      await def.afterStart?.(ctx);
      return summary;
    },
    status: (ctx) => serviceStatus(ctx, def.name, port(ctx.cfg), () => def.healthy(ctx.cfg)),
    down: (ctx) => stopService(ctx, def.name, def.stopSignal ?? 'SIGTERM', def.stopTimeoutMs),
  };
}

/** Starts a service unless it already runs, and waits until it is healthy or has died. */
export async function startService(ctx: Context, spec: ServiceSpec): Promise<string> {
  const name = spec.spawn.name;
  const existing = runningPid(ctx.cfg, name);
  if (existing) {
    if (await waitUntil(spec.healthy, spec.timeoutMs))
      return `already running (pid ${existing.pid}, 127.0.0.1:${spec.port})`;
    throw new StackError(
      name,
      `runs (pid ${existing.pid}) but is not healthy`,
      `see npm run stack -- logs ${name}`,
      tail(ctx.cfg, name),
    );
  }
  if (await portOpen(spec.port)) {
    throw new StackError(name, `port ${spec.port} is taken by a process this stack did not start`, spec.portHint);
  }
  const started = Date.now();
  const rec = spawnDetached(ctx.cfg, spec.spawn);
  const ok = await waitUntil(async () => !isAlive(rec.pid) || (await spec.healthy()), spec.timeoutMs);
  if (!isAlive(rec.pid)) {
    throw new StackError(
      name,
      'exited during start-up',
      `see the log above, or npm run stack -- logs ${name}`,
      tail(ctx.cfg, name),
    );
  }
  if (!ok) {
    throw new StackError(
      name,
      `not healthy after ${spec.timeoutMs / 1000} s`,
      `npm run stack -- logs ${name}`,
      tail(ctx.cfg, name),
    );
  }
  return `up (pid ${rec.pid}, 127.0.0.1:${spec.port}) in ${((Date.now() - started) / 1000).toFixed(1)} s`;
}

export async function serviceStatus(
  ctx: Context,
  name: string,
  port: number,
  healthy: () => Promise<boolean>,
): Promise<ComponentStatus> {
  const rec = runningPid(ctx.cfg, name);
  if (!rec) {
    const taken = await portOpen(port);
    return { name, state: 'down', port, detail: taken ? `port ${port} is used by another process` : undefined };
  }
  return { name, state: (await healthy()) ? 'up' : 'starting', pid: rec.pid, port, memoryMiB: memoryMiB(rec.pid) };
}

/** Stops a service this stack started (by its pid file); null when it was not running. */
export async function stopService(
  ctx: Context,
  name: string,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 30_000,
): Promise<string | null> {
  const rec = runningPid(ctx.cfg, name);
  if (!rec) return null;
  const how = await stopPid(rec.pid, signal, timeoutMs);
  forgetPid(ctx.cfg, name);
  return how;
}
