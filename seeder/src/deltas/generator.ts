import type { FastifyBaseLogger } from 'fastify';
import { Changes, readBounds, type Bounds, type Change, type Op } from '../db/changes-repository.js';
import type { Pool } from '../db/pool.js';
import { tables, type Table } from '../db/tables.js';
import { Rng } from '../domain/random.js';
import { SeedError, conflictKind, isDatabaseUnavailable } from '../errors.js';
import { RateWindow, targetRate, TokenBucket, type RateProfile } from './pacing.js';

export interface Mix {
  insert: number;
  update: number;
  delete: number;
}

export interface DeltaSettings {
  /** Target row changes per second, cascades included: the base rate of the profile. */
  ratePerSecond: number;
  /** How the target moves over time around the base rate (pacing.ts). */
  profile: RateProfile;
  /** Stop by itself after this long; absent: run until stopped. */
  durationSeconds?: number | undefined;
  /** Relative weights of insert, update and delete actions. */
  mix: Mix;
  /** Actions in flight at once, each on its own connection. */
  concurrency: number;
  seed?: number | undefined;
}

export const defaultMix: Mix = { insert: 0.35, update: 0.55, delete: 0.1 };
/** Lanes when the request names none. */
export const defaultConcurrency = 4;

/** What a caller asks for (POST /deltas/start, DELTAS_ON_START); start() fills in the rest. */
export type DeltaRequest = Omit<DeltaSettings, 'mix' | 'concurrency' | 'profile'> &
  Partial<Pick<DeltaSettings, 'mix' | 'concurrency' | 'profile'>>;

/** Every public method of Changes is a delta action. */
type Action = keyof Changes;

/**
 * Each action's kind and its weight among the actions of that kind: the life cycle steps dominate,
 * as in a real shop. `satisfies` makes an action without an entry a compile error, so none can be
 * forgotten (it would never run).
 */
export const actionSpecs = {
  placeOrder: { op: 'insert', weight: 65 },
  addCustomer: { op: 'insert', weight: 30 },
  addProduct: { op: 'insert', weight: 5 },
  payOrder: { op: 'update', weight: 25 },
  shipOrder: { op: 'update', weight: 20 },
  deliverOrder: { op: 'update', weight: 18 },
  cancelOrder: { op: 'update', weight: 5 },
  changePrice: { op: 'update', weight: 12 },
  restock: { op: 'update', weight: 10 },
  moveCustomer: { op: 'update', weight: 10 },
  deleteCustomer: { op: 'delete', weight: 25 },
  deleteAddress: { op: 'delete', weight: 75 },
} as const satisfies Record<Action, { op: Op; weight: number }>;

/** The weighted choices of each kind, in actionSpecs' order (the draws depend on it). */
const actionsOf = (op: Op) =>
  (Object.entries(actionSpecs) as [Action, (typeof actionSpecs)[Action]][])
    .filter(([, spec]) => spec.op === op)
    .map(([action, spec]) => [action, spec.weight] as const);
const actions: Record<Op, readonly (readonly [Action, number])[]> = {
  insert: actionsOf('insert'),
  update: actionsOf('update'),
  delete: actionsOf('delete'),
};

export type DeltaState = 'stopped' | 'running' | 'paused' | 'waiting_for_database';

export interface DeltaStatus {
  state: DeltaState;
  settings: DeltaSettings | null;
  startedAt: string | null;
  stoppedAt: string | null;
  elapsedSeconds: number;
  /** Row changes per second the profile asks for now; 0 when stopped. */
  targetRate: number;
  /** Row changes per second since the start. */
  achievedRate: number;
  /** Row changes per second over the last few seconds. */
  recentRate: number;
  rowChanges: number;
  actions: number;
  /** Actions that lost a lock race with a concurrent one (deadlock, lock timeout) and were skipped. */
  conflicts: number;
  /**
   * Actions a foreign key or unique constraint rejected because a concurrent lane changed a row
   * they had read (a customer deleted while their order was placed); skipped. Always 0 with one
   * lane.
   */
  constraintConflicts: number;
  errors: number;
  lastError: string | null;
  counts: Record<Table, Record<Op, number>>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const emptyCounts = () =>
  Object.fromEntries(tables.map((t) => [t, { insert: 0, update: 0, delete: 0 }])) as Record<Table, Record<Op, number>>;

/**
 * A background generator of realistic changes at a target rate of row changes per second.
 *
 * Pacing is a token bucket over row changes (pacing.ts): each lane takes an action when tokens
 * are available and pays for the rows it changed afterwards.
 */
export class DeltaGenerator {
  private readonly changes: Changes;
  private settings: DeltaSettings | null = null;
  private state: DeltaState = 'stopped';
  private lanes: Promise<void>[] = [];
  private stopping = false;
  /** Resolved by stop(): every wait of a lane (the pause gate, pacing, a retry) ends on it. */
  private stopped: Promise<void> = Promise.resolve();
  private wake: () => void = () => undefined;
  private startedAt = 0;
  private stoppedAt = 0;
  private rng = new Rng(Date.now());
  private bucket = new TokenBucket(1);
  private bounds: Bounds | null = null;
  private boundsAt = 0;
  private boundsLoading: Promise<Bounds> | null = null;
  private gate: Promise<void> = Promise.resolve();
  private pausedBy = 0;
  /** The actions running now, each a transaction that may hold row and table locks. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private counts = emptyCounts();
  private total = { rowChanges: 0, actions: 0, conflicts: 0, constraintConflicts: 0, errors: 0 };
  private lastError: string | null = null;
  private unavailableSince = 0;
  private window = new RateWindow(Date.now());
  private deadlineTimer: NodeJS.Timeout | undefined;

  constructor(
    pool: Pool,
    private readonly log: FastifyBaseLogger,
    /** Lanes at most: each holds a connection, and the pool must keep some for loads and reads. */
    private readonly maxConcurrency: number,
  ) {
    this.changes = new Changes(pool);
    this.readBounds = () => readBounds(pool);
  }

  private readonly readBounds: () => Promise<Bounds>;

  /** Starts with the default mix and lanes where the request names none, lanes capped by the pool. */
  start(request: DeltaRequest): DeltaStatus {
    if (this.state !== 'stopped' || this.lanes.length > 0) {
      throw new SeedError('busy', 'the delta generator is already running; POST /deltas/stop first');
    }
    const settings: DeltaSettings = {
      ...request,
      mix: request.mix ?? defaultMix,
      profile: request.profile ?? { kind: 'steady' },
      concurrency: Math.min(request.concurrency ?? defaultConcurrency, this.maxConcurrency),
    };
    this.settings = settings;
    this.stopping = false;
    this.stopped = new Promise((resolve) => (this.wake = resolve));
    this.state = this.pausedBy > 0 ? 'paused' : 'running';
    this.startedAt = Date.now();
    this.stoppedAt = 0;
    this.rng = new Rng(settings.seed ?? Date.now());
    this.bucket = new TokenBucket(settings.ratePerSecond);
    this.counts = emptyCounts();
    this.total = { rowChanges: 0, actions: 0, conflicts: 0, constraintConflicts: 0, errors: 0 };
    this.lastError = null;
    this.window = new RateWindow(Date.now());
    this.bounds = null;
    this.lanes = Array.from({ length: settings.concurrency }, () => this.lane());
    if (settings.durationSeconds !== undefined) {
      this.deadlineTimer = setTimeout(() => void this.stop(), settings.durationSeconds * 1000);
    }
    this.log.info({ ...settings }, 'deltas started');
    return this.status();
  }

  async stop(): Promise<DeltaStatus> {
    clearTimeout(this.deadlineTimer);
    if (this.lanes.length === 0) return this.status();
    this.stopping = true;
    // A lane waiting at the gate of a full load, or for tokens, leaves now; one in an action
    // finishes it (a single statement) first.
    this.wake();
    await Promise.all(this.lanes);
    this.lanes = [];
    this.state = 'stopped';
    this.stoppedAt = Date.now();
    this.log.info({ rowChanges: this.total.rowChanges, achievedRate: this.status().achievedRate }, 'deltas stopped');
    return this.status();
  }

  /**
   * Holds every lane between actions while `work` runs (a full load takes the table locks).
   * `work` starts once the actions in flight have ended: a load that locked its tables beside an
   * open action could deadlock with it (each waiting for a table the other holds). An action still
   * running after `settleMs` waits on a lock another session holds; `work` then starts anyway and
   * meets that lock itself (a full load gives up on it with a 409 after LOCK_WAIT_MS).
   */
  async pauseWhile<T>(work: () => Promise<T>, settleMs: number): Promise<T> {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.gate = Promise.all([this.gate, mine]).then(() => undefined);
    this.pausedBy++;
    if (this.state === 'running') this.state = 'paused';
    try {
      await this.settled(settleMs);
      return await work();
    } finally {
      this.pausedBy--;
      if (this.pausedBy === 0 && this.state === 'paused') this.state = 'running';
      release();
    }
  }

  /** Resolves when the actions in flight now have ended, or after `ms`, whichever comes first. */
  private async settled(ms: number): Promise<void> {
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(this.inFlight),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
    ]);
    clearTimeout(timer);
  }

  status(): DeltaStatus {
    const now = Date.now();
    const end = this.stoppedAt || now;
    const elapsed = this.startedAt ? (end - this.startedAt) / 1000 : 0;
    const recent = this.window.rate(now, this.total.rowChanges);
    return {
      state: this.state,
      settings: this.settings,
      startedAt: this.startedAt ? new Date(this.startedAt).toISOString() : null,
      stoppedAt: this.stoppedAt ? new Date(this.stoppedAt).toISOString() : null,
      elapsedSeconds: round(elapsed),
      targetRate: this.state === 'stopped' ? 0 : round(this.currentTarget(now)),
      achievedRate: elapsed > 0 ? round(this.total.rowChanges / elapsed) : 0,
      recentRate: this.state !== 'stopped' ? round(recent) : 0,
      ...this.total,
      lastError: this.lastError,
      counts: this.counts,
    };
  }

  /** What the profile asks for at `now` (ms), from the start of this run. */
  private currentTarget(now: number): number {
    const s = this.settings!;
    return targetRate(s.ratePerSecond, s.profile, (now - this.startedAt) / 1000);
  }

  /** Id ranges to aim picks at, refreshed in the background at most once a second. */
  private async currentBounds(): Promise<Bounds> {
    if (this.bounds && Date.now() - this.boundsAt <= 1_000) return this.bounds;
    if (!this.boundsLoading) {
      const loading = this.readBounds().then((b) => {
        this.bounds = b;
        this.boundsAt = Date.now();
        return b;
      });
      this.boundsLoading = loading;
      // A failed background refresh is not an error of its own: the next action meets it too.
      loading.catch(() => undefined).finally(() => (this.boundsLoading = null));
    }
    return this.bounds ?? this.boundsLoading;
  }

  private chooseAction(): Action {
    const { mix } = this.settings!;
    const op = this.rng.weighted([
      ['insert', mix.insert],
      ['update', mix.update],
      ['delete', mix.delete],
    ] as const);
    return this.rng.weighted(actions[op]);
  }

  private record(changes: Change[]): number {
    let rows = 0;
    for (const c of changes) {
      this.counts[c.table][c.op] += c.rows;
      rows += c.rows;
    }
    this.total.rowChanges += rows;
    this.total.actions++;
    return rows;
  }

  /** One action on a random pick; on an empty shop (nothing to act on) it places an order instead. */
  private async act(): Promise<Change[]> {
    const bounds = await this.currentBounds();
    const changes = await this.changes[this.chooseAction()](this.rng, bounds);
    return changes.length > 0 ? changes : this.changes.placeOrder(this.rng, bounds);
  }

  private async lane(): Promise<void> {
    const until = (p: Promise<unknown>) => Promise.race([p, this.stopped]);
    while (!this.stopping) {
      await until(this.gate);
      if (this.stopping) break;
      // A pause that began while this lane was waking up: its gate is a newer one.
      if (this.pausedBy > 0) continue;
      this.bucket.setRate(this.currentTarget(Date.now()));
      const wait = this.bucket.take();
      if (wait > 0) {
        await until(sleep(wait));
        continue;
      }
      try {
        const act = this.act();
        this.inFlight.add(act);
        const changes = await act.finally(() => this.inFlight.delete(act));
        const rows = this.record(changes);
        this.bucket.pay(rows);
        if (this.state === 'waiting_for_database') {
          this.log.info(
            { downSeconds: round((Date.now() - this.unavailableSince) / 1000) },
            'database is back; deltas resume',
          );
          this.state = this.pausedBy > 0 ? 'paused' : 'running';
          this.lastError = null;
        }
      } catch (err) {
        this.bucket.refund();
        const conflict = conflictKind(err);
        if (conflict === 'lock') {
          this.total.conflicts++;
        } else if (conflict === 'constraint') {
          this.total.constraintConflicts++;
        } else if (isDatabaseUnavailable(err)) {
          if (this.state !== 'waiting_for_database') {
            this.unavailableSince = Date.now();
            this.log.warn({ err: (err as Error).message }, 'database unavailable; deltas wait and retry');
          }
          this.state = 'waiting_for_database';
          this.lastError = `database unavailable: ${(err as Error).message}`;
          this.bounds = null;
          await until(sleep(1_000));
        } else {
          this.total.errors++;
          this.lastError = (err as Error).message;
          this.log.error({ err }, 'delta action failed');
          await until(sleep(200));
        }
      }
    }
  }
}

const round = (n: number) => Math.round(n * 10) / 10;
