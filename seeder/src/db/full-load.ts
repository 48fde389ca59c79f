import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { CustomerRows } from '../domain/customers.js';
import type { OrderRows } from '../domain/orders.js';
import type { LoadPlan } from '../domain/plan.js';
import type { ProductRows } from '../domain/products.js';
import render, { type RenderTask } from '../loads/render-worker.js';
import { ensureCatalog } from './catalog-repository.js';
import { copyRows } from './copy.js';
import { inTransaction, type Pool, type PoolClient } from './pool.js';
import { SeedError } from '../errors.js';
import { columns, tables, type Table } from './tables.js';

export interface LoadSize {
  customers: number;
  products: number;
  orders: number;
  seed: number;
  until: number;
}

export interface LoadProgress {
  /** Rows written so far, per table. */
  rows: Record<Table, number>;
  /** 0..1, by work units done. */
  fraction: number;
}

/** Entities per COPY round: bounds memory (one chunk of rendered text) whatever the load size. */
const CHUNK = 5_000;

/** Relative work per entity, so progress moves evenly (an order carries ~3 more rows). */
const WEIGHT = { customers: 2.3, products: 2, orders: 5 };

/**
 * Reserves `count` ids from a table's identity sequence and returns the first. Callers hold the
 * table lock, so nobody else draws from the sequence in between.
 */
async function reserveIds(client: PoolClient, table: string, count: number): Promise<number> {
  if (count === 0) return 1;
  const { rows } = await client.query<{ first: string }>(
    `SELECT setval(seq, nextval(seq) + $1::bigint - 1) - $1::bigint + 1 AS first
       FROM pg_get_serial_sequence($2, 'id') AS seq`,
    [count, table],
  );
  return Number(rows[0]!.first);
}

/**
 * Writes a whole dataset in one transaction, so a load that fails leaves nothing behind.
 *
 * Parent rows need known ids for their children's foreign keys, so the load locks the tables
 * against other writers and reserves id blocks up front. Rows are generated chunk by chunk and
 * each chunk is COPYed table by table in foreign-key order (orders before their items), which
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
  const totalUnits = size.customers * WEIGHT.customers + size.products * WEIGHT.products + size.orders * WEIGHT.orders;
  let doneUnits = 0;
  const progress = (): LoadProgress => ({ rows: { ...rows }, fraction: totalUnits === 0 ? 1 : doneUnits / totalUnits });

  return inTransaction(pool, async (client) => {
    // Wait at most this long for other writers (a user's open transaction) before giving up.
    await client.query("SET LOCAL lock_timeout = '10s'");
    await client.query(`LOCK TABLE ${tables.join(', ')} IN SHARE ROW EXCLUSIVE MODE`).catch((err: unknown) => {
      if ((err as { code?: string }).code === '55P03') {
        throw new SeedError(
          'busy',
          'another session has held the storefront tables for 10 s; commit or end it and retry',
        );
      }
      throw err;
    });
    const categoriesBefore = await client.query<{ n: string }>('SELECT count(*) AS n FROM categories');
    const leafCategoryIds = await ensureCatalog(client);
    const categoriesAfter = await client.query<{ n: string }>('SELECT count(*) AS n FROM categories');
    rows.categories = Number(categoriesAfter.rows[0]!.n) - Number(categoriesBefore.rows[0]!.n);

    const plan: LoadPlan = {
      seed: size.seed,
      until: size.until,
      customers: size.customers,
      products: size.products,
      orders: size.orders,
      firstId: {
        customer: await reserveIds(client, 'customers', size.customers),
        // Default addresses get explicit ids (orders point at them); extra ones come after.
        address: await reserveIds(client, 'addresses', size.customers),
        product: await reserveIds(client, 'products', size.products),
        order: await reserveIds(client, 'orders', size.orders),
      },
      leafCategoryIds,
    };

    const step = async (units: number) => {
      doneUnits += units;
      onProgress(progress());
      signal.throwIfAborted(); // a cancelled job, or the seeder shutting down: roll back
    };

    const jobs: Job[] = [];
    for (let from = 0; from < size.customers; from += CHUNK) {
      const to = Math.min(size.customers, from + CHUNK);
      jobs.push(
        job<CustomerRows>({ entity: 'customers', plan, from, to }, async (r) => {
          await copyRows(client, 'customers', columns.customers, r.customers);
          await copyRows(client, 'addresses', columns.addressesWithId, r.defaultAddresses);
          await copyRows(client, 'addresses', columns.addresses, r.extraAddresses);
          rows.customers += to - from;
          rows.addresses += r.rows - (to - from);
          await step((to - from) * WEIGHT.customers);
        }),
      );
    }
    for (let from = 0; from < size.products; from += CHUNK) {
      const to = Math.min(size.products, from + CHUNK);
      jobs.push(
        job<ProductRows>({ entity: 'products', plan, from, to }, async (r) => {
          await copyRows(client, 'products', columns.products, r.products);
          await copyRows(client, 'inventory', columns.inventory, r.inventory);
          rows.products += to - from;
          rows.inventory += to - from;
          await step((to - from) * WEIGHT.products);
        }),
      );
    }
    for (let from = 0; from < size.orders; from += CHUNK) {
      const to = Math.min(size.orders, from + CHUNK);
      jobs.push(
        job<OrderRows>({ entity: 'orders', plan, from, to }, async (r) => {
          await copyRows(client, 'orders', columns.orders, r.orders);
          await copyRows(client, 'order_items', columns.orderItems, r.items);
          await copyRows(client, 'payments', columns.payments, r.payments);
          await copyRows(client, 'shipments', columns.shipments, r.shipments);
          rows.orders += to - from;
          rows.order_items += countLines(r.items);
          rows.payments += countLines(r.payments);
          rows.shipments += countLines(r.shipments);
          await step((to - from) * WEIGHT.orders);
        }),
      );
    }
    await runAhead(jobs, renderThreads);
    return progress();
  });
}

interface Job {
  task: RenderTask;
  write: (rendered: unknown) => Promise<void>;
}

const job = <R>(task: RenderTask, write: (rendered: R) => Promise<void>): Job => ({
  task,
  write: write as (rendered: unknown) => Promise<void>,
});

const here = fileURLToPath(import.meta.url);
/** The worker module beside this one: .ts when run from source (through tsx), .js when built. */
const workerFile = path.join(path.dirname(here), '..', 'loads', `render-worker${path.extname(here)}`);
/**
 * Loads of at most this many chunks render on the main thread: starting a worker (compiling its
 * modules when run through tsx: ~0.8 s) costs more than overlapping so few chunks saves.
 */
const INLINE_CHUNKS = 8;

/**
 * Runs the jobs' COPYs in order while the chunks after them are rendered in worker threads, so
 * generation (JavaScript) and ingestion (the PostgreSQL backend) use a core each instead of taking
 * turns. At most `workers + 1` chunks are rendered ahead: memory stays bounded by chunks, not by
 * the load's size. With no threads, chunks render inline, one ahead.
 */
async function runAhead(jobs: Job[], threads: number): Promise<void> {
  const workers = Math.max(1, threads);
  const pool =
    threads > 0 && jobs.length > INLINE_CHUNKS
      ? new Piscina({
          filename: workerFile,
          minThreads: workers,
          maxThreads: workers,
          execArgv: path.extname(workerFile) === '.ts' ? ['--import', 'tsx'] : [],
        })
      : null;
  const renderChunk = (task: RenderTask): Promise<unknown> =>
    pool ? (pool.run(task) as Promise<unknown>) : Promise.resolve().then(() => render(task));
  const ahead: Promise<unknown>[] = [];
  let next = 0;
  try {
    for (const j of jobs) {
      while (next < jobs.length && ahead.length < workers + 1) {
        const rendering = renderChunk(jobs[next++]!.task);
        rendering.catch(() => undefined); // awaited below, in order; not unhandled meanwhile
        ahead.push(rendering);
      }
      await j.write(await ahead.shift());
    }
  } finally {
    await pool?.destroy();
  }
}

function countLines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
