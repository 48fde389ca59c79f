/**
 * One full load: the orchestration (lock, reserve ids, render ahead, COPY, progress) over the
 * entity table (entities.ts) and the SQL in db/.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { ensureCatalog } from '../db/catalog-repository.js';
import { copyRows } from '../db/copy.js';
import { countRows, lockTables, reserveIds } from '../db/load-repository.js';
import { inTransaction, type Pool } from '../db/pool.js';
import { tables, type Table } from '../db/tables.js';
import { defaultHistory, type HistoryShape } from '../domain/history.js';
import type { LoadPlan } from '../domain/plan.js';
import { chunksOf, countLines, entities, entityNames, partsOf, type Counts, type Rendered } from './entities.js';
import render, { type RenderTask } from './render-worker.js';

export interface LoadSize extends Counts {
  seed: number;
  until: number;
  history: HistoryShape;
}

export interface LoadProgress {
  /** Rows written so far, per table. */
  rows: Record<Table, number>;
  /** 0..1, by work units done. */
  fraction: number;
}

/**
 * Writes a whole dataset in one transaction, so a load that fails leaves nothing behind.
 *
 * Parent rows need known ids for their children's foreign keys, so the load locks the tables
 * against other writers and reserves id blocks up front. Rows are generated chunk by chunk and
 * each chunk is COPYed part by part in foreign-key order (orders before their items), which
 * keeps memory bounded and every statement's FK checks satisfied.
 */
export async function runFullLoad(
  pool: Pool,
  size: LoadSize,
  onProgress: (p: LoadProgress) => void,
  signal: AbortSignal,
  /** The render threads for a load of this many chunks; none: render inline. */
  renderersFor: (chunks: number) => RenderPool | null = () => null,
): Promise<LoadProgress> {
  const rows = Object.fromEntries(tables.map((t) => [t, 0])) as Record<Table, number>;
  const totalUnits = entityNames.reduce((sum, e) => sum + size[e] * entities[e].weight, 0);
  let doneUnits = 0;
  const progress = (): LoadProgress => ({ rows: { ...rows }, fraction: totalUnits === 0 ? 1 : doneUnits / totalUnits });

  return inTransaction(pool, async (client) => {
    await lockTables(client);
    const categoriesBefore = await countRows(client, 'categories');
    const leafCategoryIds = await ensureCatalog(client);
    rows.categories = (await countRows(client, 'categories')) - categoriesBefore;

    const firstId = {} as LoadPlan['firstId'];
    for (const e of entityNames) {
      for (const [key, table] of entities[e].reserves) firstId[key] = await reserveIds(client, table, size[e]);
    }
    const plan: LoadPlan = { ...size, firstId, leafCategoryIds };

    const tasks = chunksOf(size).map((chunk) => ({ plan, chunk }));
    await renderAhead(tasks, renderersFor(tasks.length), async ({ chunk }, rendered) => {
      for (const [part, text] of partsOf(chunk.entity, rendered)) {
        await copyRows(client, part.table, part.columns, text);
        rows[part.table] += countLines(text);
      }
      doneUnits += (chunk.to - chunk.from) * entities[chunk.entity].weight;
      onProgress(progress());
      signal.throwIfAborted(); // a cancelled job, or the seeder shutting down: roll back
    });
    return progress();
  });
}

const here = fileURLToPath(import.meta.url);
/** The worker module beside this one: .ts when run from source (through tsx), .js when built. */
const workerFile = path.join(path.dirname(here), `render-worker${path.extname(here)}`);

/**
 * A load of at most this many chunks does not start the render threads (starting one costs 0.4 s
 * or more); it uses them when they already run.
 */
export const INLINE_CHUNKS = 8;

/** One of each entity's chunks, of one row each: what a worker renders to warm up. */
const warmUpTasks = (): RenderTask[] => {
  const plan: LoadPlan = {
    seed: 1,
    until: Date.UTC(2026, 0, 1),
    customers: 1,
    products: 1,
    orders: 1,
    history: defaultHistory,
    firstId: { customer: 1, address: 1, product: 1, order: 1 },
    leafCategoryIds: [1],
  };
  return chunksOf(plan).map((chunk) => ({ plan, chunk }));
};

const BUNDLE_PREFIX = 'storefront-render-';

/** Deletes the render bundles of seeders that are no longer running. */
export function removeOrphanBundles(cache: string): void {
  for (const name of readdirSync(cache)) {
    const pid = Number(/^storefront-render-(\d+)-/.exec(name)?.[1]);
    // A bundle without a pid in its name is from before they carried one: orphaned as well.
    if (name.startsWith(BUNDLE_PREFIX) && (!pid || !alive(pid)))
      rmSync(path.join(cache, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Run from source (through tsx), the worker is bundled to one JavaScript file first (esbuild, a
 * development dependency, ~0.1 s): a thread that loads TypeScript through tsx's hooks took 1.7 s
 * to start against 0.4 s for JavaScript. Built (the image), it is JavaScript already.
 */
async function workerScript(): Promise<{ filename: string; cleanup: () => void }> {
  if (path.extname(workerFile) !== '.ts') return { filename: workerFile, cleanup: () => undefined };
  const { build } = await import('esbuild');
  // Under node_modules/.cache, so the bundle's imports resolve from the project's node_modules.
  const cache = path.resolve(path.dirname(workerFile), '..', '..', '..', 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  removeOrphanBundles(cache);
  // The pid in the name: a seeder killed before its cleanup (chaos does it) leaves its bundle to the next.
  const dir = mkdtempSync(path.join(cache, `${BUNDLE_PREFIX}${process.pid}-`));
  const filename = path.join(dir, 'render-worker.mjs');
  await build({
    entryPoints: [workerFile],
    outfile: filename,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Dependencies load from node_modules as they do for the seeder itself.
    packages: 'external',
    absWorkingDir: path.dirname(workerFile),
    logLevel: 'silent',
  });
  return { filename, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The worker threads that render a load's chunks ahead of its COPY. Started with the seeder and
 * warmed (each has loaded its modules and faker's locale data, and rendered a row of each entity),
 * so a load does not wait for them: a cold start took up to two seconds, a fifth of a 10x load.
 */
export class RenderPool {
  private readonly pool: Promise<{ piscina: Piscina; cleanup: () => void }>;
  /** Settles when the warm-up has run (a failure shows in the first load instead). */
  readonly warm: Promise<void>;
  isWarm = false;

  constructor(readonly threads: number) {
    this.pool = workerScript().then(({ filename, cleanup }) => {
      // No execArgv: a thread would inherit the seeder's (--import tsx) and load tsx's hooks for nothing.
      const piscina = new Piscina({ filename, minThreads: threads, maxThreads: threads, execArgv: [] });
      // A worker that fails fails the task it runs (the load reports it); not the process.
      piscina.on('error', () => undefined);
      return { piscina, cleanup };
    });
    const tasks = warmUpTasks();
    this.warm = Promise.all(Array.from({ length: threads }, () => Promise.all(tasks.map((t) => this.run(t))))).then(
      () => void (this.isWarm = true),
      () => undefined,
    );
  }

  async run(task: RenderTask): Promise<Rendered> {
    return (await this.pool).piscina.run(task) as Promise<Rendered>;
  }

  async close(): Promise<void> {
    const { piscina, cleanup } = await this.pool;
    await piscina.destroy();
    cleanup();
  }
}

/**
 * Hands each task's rendering to `write`, in order, while the tasks after it are rendered in
 * worker threads, so generation (JavaScript) and ingestion (the PostgreSQL backend) use a core
 * each instead of taking turns. While a chunk is written, the next `threads + 1` are rendering or
 * rendered: with one chunk ahead, a small chunk (a 10x load's products) was COPYed before the
 * large one after it (its first orders) was rendered, and PostgreSQL waited 90-110 ms. Memory
 * stays bounded by chunks, not by the load's size. With no threads, chunks render inline, one
 * ahead.
 */
export async function renderAhead(
  tasks: RenderTask[],
  renderers: Pick<RenderPool, 'threads' | 'run'> | null,
  write: (task: RenderTask, rendered: Rendered) => Promise<void>,
): Promise<void> {
  const ahead = (renderers?.threads ?? 0) + 1;
  const renderTask = (task: RenderTask): Promise<Rendered> =>
    renderers ? renderers.run(task) : Promise.resolve().then(() => render(task));
  const rendering: Promise<Rendered>[] = [];
  let next = 0;
  const fill = () => {
    while (next < tasks.length && rendering.length < ahead) {
      const r = renderTask(tasks[next++]!);
      r.catch(() => undefined); // awaited below, in order; not unhandled meanwhile
      rendering.push(r);
    }
  };
  fill();
  for (const task of tasks) {
    const rendered = await rendering.shift()!;
    fill();
    await write(task, rendered);
  }
}
