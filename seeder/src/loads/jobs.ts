import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { INLINE_CHUNKS, RenderPool, runFullLoad, type LoadProgress, type LoadSize } from './load.js';
import { LOCK_WAIT_MS } from '../db/load-repository.js';
import type { Pool } from '../db/pool.js';
import { defaultHistory, type HistoryShape } from '../domain/history.js';
import type { Table } from '../db/tables.js';
import type { DeltaGenerator } from '../deltas/generator.js';
import { SeedError, toSeedError } from '../errors.js';

export interface FullLoadRequest {
  customers: number;
  products: number;
  orders: number;
  seed?: number | undefined;
  /** End of the simulated history (ISO date-time); default: the start of the current UTC day. */
  until?: string | undefined;
  /** The history's shape; a field left out takes its default (domain/history.ts). */
  history?: Partial<HistoryShape> | undefined;
}

export interface Job {
  id: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  request: FullLoadRequest & { seed: number; until: string; history: HistoryShape };
  startedAt: string;
  finishedAt: string | null;
  percent: number;
  rows: number;
  rowsPerTable: Record<Table, number> | null;
  elapsedSeconds: number;
  rowsPerSecond: number;
  error: string | null;
}

const KEEP_JOBS = 50;

interface Entry {
  job: Job;
  done: Promise<Job>;
  failure?: unknown;
  /** Aborts this load: by DELETE /jobs/:id, or for all of them when the seeder shuts down. */
  abort: AbortController;
}

/** Thrown into a load whose job was cancelled: the transaction rolls back like any failure. */
class Cancelled extends Error {}

/** Runs full loads one at a time in the background and keeps their progress for GET /jobs/:id. */
export class FullLoads {
  private readonly jobs = new Map<string, Entry>();
  private running: string | null = null;
  private readonly shutdown = new AbortController();
  private renderers: RenderPool | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly deltas: DeltaGenerator,
    private readonly log: FastifyBaseLogger,
    private readonly renderThreads = 0,
  ) {}

  /** For GET /ready: whether a full load would find its render threads started. */
  renderThreadsState(): { threads: number; warm: boolean } {
    return { threads: this.renderThreads, warm: this.renderThreads === 0 || (this.renderers?.isWarm ?? false) };
  }

  /**
   * The render threads, started on first use; the seeder's main starts them as soon as it
   * listens, so the first load finds them warm. None with renderThreads 0.
   */
  prepareRenderers(): RenderPool | null {
    if (this.renderThreads > 0) this.renderers ??= new RenderPool(this.renderThreads);
    return this.renderers;
  }

  start(req: FullLoadRequest): Job {
    if (this.running) {
      throw new SeedError('busy', `full load ${this.running} is still running; see GET /jobs/${this.running}`);
    }
    if (this.shutdown.signal.aborted) throw new SeedError('busy', 'the seeder is shutting down');
    const seed = req.seed ?? Math.floor(Math.random() * 2 ** 31);
    const until = req.until ? Date.parse(req.until) : startOfUtcDay(Date.now());
    const history: HistoryShape = { ...defaultHistory, ...definedFields(req.history ?? {}) };
    const size: LoadSize = {
      customers: req.customers,
      products: req.products,
      orders: req.orders,
      seed,
      until,
      history,
    };
    const job: Job = {
      id: randomUUID(),
      status: 'running',
      request: { ...req, seed, until: new Date(until).toISOString(), history },
      startedAt: new Date().toISOString(),
      finishedAt: null,
      percent: 0,
      rows: 0,
      rowsPerTable: null,
      elapsedSeconds: 0,
      rowsPerSecond: 0,
      error: null,
    };
    const started = performance.now();
    const abort = new AbortController();
    const entry: Entry = { job, done: Promise.resolve(job), abort };
    const signal = AbortSignal.any([abort.signal, this.shutdown.signal]);
    const update = (p: LoadProgress) => {
      job.rowsPerTable = p.rows;
      job.rows = Object.values(p.rows).reduce((a, b) => a + b, 0);
      job.percent = Math.round(p.fraction * 1000) / 10;
      job.elapsedSeconds = Math.round(performance.now() - started) / 1000;
      job.rowsPerSecond = job.elapsedSeconds > 0 ? Math.round(job.rows / job.elapsedSeconds) : 0;
    };
    this.running = job.id;
    this.log.info({ job: job.id, ...job.request }, 'full load started');
    entry.done = this.deltas
      .pauseWhile(
        () =>
          runFullLoad(this.pool, size, update, signal, (chunks) =>
            chunks > INLINE_CHUNKS ? this.prepareRenderers() : this.renderers,
          ),
        LOCK_WAIT_MS,
      )
      .then(
        (p) => {
          update(p);
          job.status = 'succeeded';
          job.percent = 100;
          this.log.info(
            { job: job.id, rows: job.rows, seconds: job.elapsedSeconds, rowsPerSecond: job.rowsPerSecond },
            'full load done',
          );
        },
        (err: unknown) => {
          job.rows = 0;
          job.rowsPerTable = null;
          if (abort.signal.aborted) {
            job.status = 'cancelled';
            this.log.info({ job: job.id }, 'full load cancelled; rolled back, nothing was written');
            return;
          }
          const e = toSeedError(err);
          entry.failure =
            e instanceof SeedError
              ? e
              : new SeedError(
                  'load_failed',
                  `full load ${job.id} failed and was rolled back, nothing was written; GET /jobs/${job.id} has the error`,
                );
          job.status = 'failed';
          job.error = e instanceof Error ? e.message : String(e);
          this.log.error({ job: job.id, err }, 'full load failed; nothing was written');
        },
      )
      .then(() => {
        job.finishedAt = new Date().toISOString();
        job.elapsedSeconds = Math.round(performance.now() - started) / 1000;
        this.running = null;
        return job;
      });
    this.jobs.set(job.id, entry);
    for (const id of this.jobs.keys()) {
      if (this.jobs.size <= KEEP_JOBS) break;
      if (id !== this.running) this.jobs.delete(id);
    }
    return job;
  }

  get(id: string): Job {
    const entry = this.jobs.get(id);
    if (!entry) throw new SeedError('not_found', `no job ${id} (jobs are kept in memory, the last ${KEEP_JOBS})`);
    return entry.job;
  }

  /**
   * Cancels a running load and answers once it has rolled back (the load checks after each chunk
   * it writes, so within about a second); the delta generator resumes if the load paused it.
   */
  async cancel(id: string): Promise<Job> {
    const entry = this.jobs.get(id);
    if (!entry) throw new SeedError('not_found', `no job ${id} (jobs are kept in memory, the last ${KEEP_JOBS})`);
    if (entry.job.status !== 'running')
      throw new SeedError('not_running', `job ${id} has ${entry.job.status}; only a running load can be cancelled`);
    entry.abort.abort(new Cancelled(`full load ${id} cancelled`));
    return entry.done;
  }

  /** The finished job (succeeded or cancelled); rejects with the load's error when it failed. */
  async wait(id: string): Promise<Job> {
    const entry = this.jobs.get(id);
    if (!entry) throw new SeedError('not_found', `no job ${id}`);
    const job = await entry.done;
    if (job.status === 'failed') throw entry.failure;
    return job;
  }

  /** Cancels a running load (it rolls back) and waits for it to end. */
  async close(): Promise<void> {
    this.shutdown.abort(new Cancelled('the seeder is shutting down'));
    await Promise.all([...this.jobs.values()].map((e) => e.done.catch(() => undefined)));
    await this.renderers?.close();
  }
}

export function startOfUtcDay(ms: number): number {
  return ms - (ms % 86_400_000);
}

/** The fields of `o` that are set: an explicit undefined does not replace a default. */
function definedFields<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
