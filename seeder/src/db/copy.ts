import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { PoolClient } from './pool.js';

/**
 * Streams rows, already rendered in COPY text format, into `table`. Runs on the caller's client
 * (inside its transaction): if the stream fails, pg-copy-streams sends CopyFail and the statement
 * fails with it.
 */
export async function copyRows(
  client: PoolClient,
  table: string,
  columns: readonly string[],
  data: string | Iterable<string> | AsyncIterable<string>,
): Promise<void> {
  if (data === '') return;
  const sql = `COPY ${table} (${columns.join(', ')}) FROM STDIN`;
  await pipeline(Readable.from(typeof data === 'string' ? [data] : data), client.query(copyFrom(sql)));
}
