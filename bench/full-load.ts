/**
 * Full load against its limit: the rate at which the same database ingests the same rows already
 * rendered (COPY FROM files, same tables, constraints and indexes, one transaction), measured in
 * the same run, versus the seeder's end-to-end rate (HTTP request to last row committed, data
 * generation included).
 */
import { spawn } from 'node:child_process';
import { createReadStream, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ensureCatalog } from '../seeder/src/db/catalog-repository.js';
import { columns } from '../seeder/src/db/tables.js';
import { renderCustomers } from '../seeder/src/domain/customers.js';
import { renderOrders } from '../seeder/src/domain/orders.js';
import type { LoadPlan } from '../seeder/src/domain/plan.js';
import { renderProducts } from '../seeder/src/domain/products.js';
import type { Context } from '../stack/src/component.js';
import { recreateDatabase } from '../stack/src/components/flyway.js';
import { superuserClient } from '../stack/src/components/postgres.js';
import { ROOT } from '../stack/src/config.js';
import { sleep } from './lib.js';

export interface LoadSize {
  customers: number;
  products: number;
  orders: number;
}

const SEED = 42;
const UNTIL = '2026-01-01T00:00:00.000Z';

/** Renders the dataset the seeder would write to files, once, outside any timing. */
async function renderFiles(
  db: pg.Client,
  size: LoadSize,
  dir: string,
): Promise<{ files: [string, readonly string[], string][]; rows: number }> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const plan: LoadPlan = {
    seed: SEED,
    until: Date.parse(UNTIL),
    ...size,
    firstId: { customer: 1, address: 1, product: 1, order: 1 },
    leafCategoryIds: await ensureCatalog(db),
  };
  const parts: Record<string, string[]> = {};
  const add = (name: string, text: string) => (parts[name] ??= []).push(text);
  let rows = 0;
  for (let from = 0; from < size.customers; from += 5000) {
    const r = renderCustomers(plan, from, Math.min(size.customers, from + 5000));
    add('customers', r.customers);
    add('addresses_default', r.defaultAddresses);
    add('addresses_extra', r.extraAddresses);
    rows += r.rows;
  }
  for (let from = 0; from < size.products; from += 5000) {
    const r = renderProducts(plan, from, Math.min(size.products, from + 5000));
    add('products', r.products);
    add('inventory', r.inventory);
    rows += r.rows;
  }
  for (let from = 0; from < size.orders; from += 5000) {
    const r = renderOrders(plan, from, Math.min(size.orders, from + 5000));
    add('orders', r.orders);
    add('order_items', r.items);
    add('payments', r.payments);
    add('shipments', r.shipments);
    rows += r.rows;
  }
  const targets: [string, string, readonly string[]][] = [
    ['customers', 'customers', columns.customers],
    ['addresses_default', 'addresses', columns.addressesWithId],
    ['addresses_extra', 'addresses', columns.addresses],
    ['products', 'products', columns.products],
    ['inventory', 'inventory', columns.inventory],
    ['orders', 'orders', columns.orders],
    ['order_items', 'order_items', columns.orderItems],
    ['payments', 'payments', columns.payments],
    ['shipments', 'shipments', columns.shipments],
  ];
  const files: [string, readonly string[], string][] = [];
  for (const [part, table, cols] of targets) {
    const file = path.join(dir, `${part}.tsv`);
    writeFileSync(file, (parts[part] ?? []).join(''));
    files.push([table, cols, file]);
  }
  return { files, rows };
}

/** COPY of pre-rendered files into a fresh copy of the schema: the database's own ingest rate. */
export async function copyLimit(
  ctx: Context,
  size: LoadSize,
): Promise<{ rows: number; seconds: number; rowsPerSecond: number }> {
  await recreateDatabase(ctx, 'bench_copy');
  const db = superuserClient(ctx.cfg, 'bench_copy');
  await db.connect();
  try {
    const { files, rows } = await renderFiles(db, size, path.join(ctx.cfg.home, 'bench-copy'));
    // As the seeder reserves them: explicit ids 1..n, so identity defaults continue after n.
    for (const [table, n] of [
      ['customers', size.customers],
      ['addresses', size.customers],
      ['products', size.products],
      ['orders', size.orders],
    ] as const) {
      if (n > 0) await db.query(`SELECT setval(pg_get_serial_sequence($1, 'id'), $2)`, [table, n]);
    }
    const started = performance.now();
    await db.query('BEGIN');
    for (const [table, cols, file] of files) {
      await pipeline(
        createReadStream(file, { highWaterMark: 1 << 20 }),
        db.query(copyFrom(`COPY ${table} (${cols.join(', ')}) FROM STDIN`)),
      );
    }
    await db.query('COMMIT');
    const seconds = (performance.now() - started) / 1000;
    return { rows, seconds, rowsPerSecond: rows / seconds };
  } finally {
    await db.end();
    rmSync(path.join(ctx.cfg.home, 'bench-copy'), { recursive: true, force: true });
  }
}

/** The seeder as its own process on a fresh database: HTTP request to last row committed. */
export async function seederLoad(
  ctx: Context,
  size: LoadSize,
  port: number,
): Promise<{ rows: number; seconds: number; rowsPerSecond: number; peakRssMiB: number }> {
  await recreateDatabase(ctx, 'bench_load');
  const e = ctx.cfg.env;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'seeder', 'src', 'main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...ctx.cfg.raw,
      PG_HOST: '127.0.0.1',
      PG_PORT: String(e.PG_PORT),
      PG_DATABASE: 'bench_load',
      SEEDER_PORT: String(port),
      LOG_LEVEL: 'warn',
      SEED_ON_START: '',
      DELTAS_ON_START: '',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/ready`)).ok) break;
      } catch {
        /* not listening yet */
      }
      if (i > 200) throw new Error('the benchmark seeder did not become ready');
      await sleep(100);
    }
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/full-load?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...size, seed: SEED, until: UNTIL }),
    });
    const seconds = (performance.now() - started) / 1000;
    const job = (await res.json()) as { rows: number; status: string; message?: string };
    if (!res.ok || job.status !== 'succeeded') throw new Error(`full load failed: ${JSON.stringify(job)}`);
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const peakRssMiB = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024;
    return { rows: job.rows, seconds, rowsPerSecond: job.rows / seconds, peakRssMiB };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}
