/**
 * One full load: the orchestration (lock, reserve ids, render ahead, COPY, progress) over the
 * entity table (entities.ts) and the SQL in db/.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { ensureCatalog } from '../db/catalog-repository.js';
import { copyRows } from '../db/copy.js';
import { countRows, lockTables, reserveIds } from '../db/load-repository.js';
import { inTransaction, type Pool } from '../db/pool.js';
import { tables, type Table } from '../db/tables.js';
import type { LoadPlan } from '../domain/plan.js';
import { chunksOf, countLines, entities, entityNames, partsOf, type Counts, type Rendered } from './entities.js';
import render, { type RenderTask } from './render-worker.js';

export interface LoadSize extends Counts {
  seed: number;
  until: number;
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
  renderThreads = 0,
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
    await renderAhead(tasks, renderThreads, async ({ chunk }, rendered) => {
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
 * Loads of at most this many chunks render on the main thread: starting a worker (compiling its
 * modules when run through tsx: ~0.8 s) costs more than overlapping so few chunks saves.
 */
const INLINE_CHUNKS = 8;

/**
 * Hands each task's rendering to `write`, in order, while the tasks after it are rendered in
 * worker threads, so generation (JavaScript) and ingestion (the PostgreSQL backend) use a core
 * each instead of taking turns. At most `workers + 1` chunks are rendered ahead: memory stays
 * bounded by chunks, not by the load's size. With no threads, chunks render inline, one ahead.
 */
async function renderAhead(
  tasks: RenderTask[],
  threads: number,
  write: (task: RenderTask, rendered: Rendered) => Promise<void>,
): Promise<void> {
  const workers = Math.max(1, threads);
  const pool =
    threads > 0 && tasks.length > INLINE_CHUNKS
      ? new Piscina({
          filename: workerFile,
          minThreads: workers,
          maxThreads: workers,
          execArgv: path.extname(workerFile) === '.ts' ? ['--import', 'tsx'] : [],
        })
      : null;
  const renderTask = (task: RenderTask): Promise<Rendered> =>
    pool ? (pool.run(task) as Promise<Rendered>) : Promise.resolve().then(() => render(task));
  const ahead: Promise<Rendered>[] = [];
  let next = 0;
  try {
    for (const task of tasks) {
      while (next < tasks.length && ahead.length < workers + 1) {
        const rendering = renderTask(tasks[next++]!);
        rendering.catch(() => undefined); // awaited below, in order; not unhandled meanwhile
        ahead.push(rendering);
      }
      await write(task, await ahead.shift()!);
    }
  } finally {
    await pool?.destroy();
  }
}
