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
import { from as copyFrom } from 'pg-copy-streams';
import { ensureCatalog } from '../seeder/src/db/catalog-repository.js';
import { defaultHistory } from '../seeder/src/domain/history.js';
import type { LoadPlan } from '../seeder/src/domain/plan.js';
import {
  countLines,
  entities,
  entityNames,
  renderedParts,
  type Counts,
  type Part,
} from '../seeder/src/loads/entities.js';
import type { Context } from '../stack/src/component.js';
import { recreateDatabase } from '../stack/src/components/flyway.js';
import { superuserClient } from '../stack/src/components/postgres.js';
import { seederEnv } from '../stack/src/components/seeder.js';
import { ROOT } from '../stack/src/config.js';
import { waitUntil } from '../stack/src/processes.js';

export type LoadSize = Counts;

const SEED = 42;
const UNTIL = '2026-01-01T00:00:00.000Z';

interface RenderedFiles {
  files: [Part, string][];
  rows: number;
  /** The catalog's ids the products were rendered with. */
  leafCategoryIds: number[];
}

/**
 * Renders the dataset the seeder would write, once, outside any timing: one file per part of
 * the entity table, in load order, with the table and columns it is COPYed into.
 */
async function renderFiles(size: LoadSize, dir: string, leafCategoryIds: number[]): Promise<RenderedFiles> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const plan: LoadPlan = {
    seed: SEED,
    until: Date.parse(UNTIL),
    history: defaultHistory,
    ...size,
    firstId: { customer: 1, address: 1, product: 1, order: 1 },
    leafCategoryIds,
  };
  const texts = new Map<Part, string[]>();
  let rows = 0;
  for (const [part, text] of renderedParts(plan)) {
    texts.set(part, [...(texts.get(part) ?? []), text]);
    rows += countLines(text);
  }
  const files: [Part, string][] = [];
  for (const [part, text] of texts) {
    const file = path.join(dir, `${files.length}-${part.table}.tsv`);
    writeFileSync(file, text.join(''));
    files.push([part, file]);
  }
  return { files, rows, leafCategoryIds };
}

/**
 * Starts a measured load from the same state as the other: a CHECKPOINT first, so neither pays for
 * a checkpoint the one before it left due, and both write WAL into recycled segment files rather
 * than new ones zero-filled on the way (one 10x COPY ran at 41k rows/s and the next at 64k without).
 */
async function checkpoint(ctx: Context): Promise<void> {
  const admin = superuserClient(ctx.cfg);
  await admin.connect();
  try {
    await admin.query('CHECKPOINT');
  } finally {
    await admin.end();
  }
}

/**
 * COPY of pre-rendered files into a fresh copy of the schema: the database's own ingest rate.
 * The files are rendered on the first measurement and kept for the next ones of the same size (a
 * 100x load takes about 25 s to render); `close` deletes them.
 */
export class CopyLimit {
  private rendered: Promise<RenderedFiles> | undefined;
  private readonly dir: string;

  constructor(
    private readonly ctx: Context,
    private readonly size: LoadSize,
  ) {
    this.dir = path.join(ctx.cfg.home, 'bench-copy');
  }

  async measure(): Promise<{ rows: number; seconds: number; rowsPerSecond: number }> {
    const { ctx, size } = this;
    await recreateDatabase(ctx, 'bench_copy');
    const db = superuserClient(ctx.cfg, 'bench_copy');
    await db.connect();
    try {
      const leafCategoryIds = await ensureCatalog(db);
      this.rendered ??= renderFiles(size, this.dir, leafCategoryIds);
      const { files, rows, leafCategoryIds: renderedWith } = await this.rendered;
      // The files' products refer to the catalog's ids, the same in every fresh database.
      if (String(renderedWith) !== String(leafCategoryIds)) {
        throw new Error('the catalog ids of a fresh database differ from those the COPY files were rendered with');
      }
      // As the seeder reserves them: explicit ids 1..n, so identity defaults continue after n.
      for (const entity of entityNames) {
        for (const [, table] of entities[entity].reserves) {
          const n = size[entity];
          if (n > 0) await db.query(`SELECT setval(pg_get_serial_sequence($1, 'id'), $2)`, [table, n]);
        }
      }
      await checkpoint(ctx);
      const started = performance.now();
      await db.query('BEGIN');
      for (const [part, file] of files) {
        await pipeline(
          createReadStream(file, { highWaterMark: 1 << 20 }),
          db.query(copyFrom(`COPY ${part.table} (${part.columns.join(', ')}) FROM STDIN`)),
        );
      }
      await db.query('COMMIT');
      const seconds = (performance.now() - started) / 1000;
      return { rows, seconds, rowsPerSecond: rows / seconds };
    } finally {
      await db.end();
    }
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The seeder as its own process on a fresh database: HTTP request to last row committed. */
export async function seederLoad(
  ctx: Context,
  size: LoadSize,
  port: number,
): Promise<{ rows: number; seconds: number; rowsPerSecond: number; peakRssMiB: number }> {
  await recreateDatabase(ctx, 'bench_load');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'seeder', 'src', 'main.ts')], {
    cwd: ROOT,
    // The stack's seeder settings, on its own database and port, quiet and idle until asked.
    env: {
      ...seederEnv(ctx.cfg),
      PG_DATABASE: 'bench_load',
      SEEDER_PORT: String(port),
      LOG_LEVEL: 'warn',
      SEED_ON_START: '',
      DELTAS_ON_START: '',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    // Ready, with its render threads started (as in a seeder that has run for a second or more).
    const warm = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null);
      return (
        res?.ok === true && ((await res.json()) as { renderThreads?: { warm: boolean } }).renderThreads?.warm === true
      );
    };
    if (!(await waitUntil(warm, 30_000, 100))) {
      throw new Error('the benchmark seeder did not become ready, with its render threads started, in 30 s');
    }
    await checkpoint(ctx);
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
