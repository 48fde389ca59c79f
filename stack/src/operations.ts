/** Day-two operations on the streaming layer: list the registry's subjects, reset CDC. */
import type { Context } from './component.js';
import { StackError } from './component.js';
import type { StackConfig } from './config.js';
import { ccompatUrl } from './components/registry.js';
import { allRunning, connectorStatus, connectUrl } from './components/connect.js';
import { superuserClient } from './components/postgres.js';
import { connectInit } from './components/connect-init.js';
import { connector } from './cdc/connector.js';
import { waitUntil } from './processes.js';
import type pg from 'pg';

const CONNECTOR = connector.name;
const SLOT = connector.slot;

async function call(url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new StackError(
      'stack',
      `${url} did not answer: ${(err as Error).message}`,
      'is the streaming layer up? npm run stack -- status',
    );
  }
}

export async function listSubjects(cfg: StackConfig): Promise<string[]> {
  const base = ccompatUrl(cfg);
  const subjects = (await (await call(`${base}/subjects`)).json()) as string[];
  const lines = [`${subjects.length} subjects at ${base}`];
  for (const subject of subjects.sort()) {
    const latest = (await (await call(`${base}/subjects/${encodeURIComponent(subject)}/versions/latest`)).json()) as {
      id: number;
      version: number;
    };
    lines.push(`  ${subject.padEnd(48)} version ${latest.version}, schema id ${latest.id}`);
  }
  return lines;
}

/**
 * A fresh snapshot: stop the connector, delete its offsets (Connect's KIP-875 API), drop its
 * replication slot, then resume; with no offsets, snapshot.mode=initial snapshots again. Old
 * events stay in the topics: consumers see the snapshot as `r` events after them.
 */
export async function resetCdc(ctx: Context): Promise<void> {
  const base = `${connectUrl(ctx.cfg)}/connectors/${CONNECTOR}`;
  const exists = await call(base);
  if (exists.status === 404) {
    ctx.say(`${CONNECTOR} is not registered; registering it`);
  } else {
    await connectorAction(ctx.cfg, 'stop', 'STOPPED');
    ctx.say(`${CONNECTOR}: stopped`);
    const del = await call(`${base}/offsets`, { method: 'DELETE' });
    if (!del.ok)
      throw new StackError('reset-cdc', `deleting the offsets failed: HTTP ${del.status} ${await del.text()}`);
    ctx.say(`${CONNECTOR}: offsets deleted`);
  }
  const db = superuserClient(ctx.cfg, ctx.cfg.env.PG_DATABASE);
  await db.connect();
  try {
    // The stopped connector releases the slot within moments; then it can be dropped.
    let exists = false;
    const released = await waitUntil(
      async () => {
        const { rows } = await db.query<{ active: boolean }>(
          'SELECT active FROM pg_replication_slots WHERE slot_name = $1',
          [SLOT],
        );
        exists = rows.length > 0;
        return !exists || !rows[0]!.active;
      },
      30_000,
      1_000,
    );
    if (!released)
      throw new StackError(
        'reset-cdc',
        `the replication slot ${SLOT} is still in use`,
        'stop whatever reads it (SELECT * FROM pg_stat_replication)',
      );
    if (exists) {
      await db.query('SELECT pg_drop_replication_slot($1)', [SLOT]);
      ctx.say(`replication slot ${SLOT}: dropped`);
    }
  } finally {
    await db.end();
  }
  if (exists.status !== 404) {
    await connectorAction(ctx.cfg, 'resume'); // connect-init below waits until it runs
  }
  ctx.say(`connect-init: ${await connectInit.up(ctx)}; a new snapshot is on its way`);
}

/**
 * PUT /connectors/<the connector>/<action>; with `until`, waits (up to 30 s) for the connector
 * to report that state.
 */
export async function connectorAction(
  cfg: StackConfig,
  action: 'stop' | 'pause' | 'resume',
  until?: 'STOPPED' | 'PAUSED' | 'RUNNING',
  name = CONNECTOR,
): Promise<void> {
  const base = `${connectUrl(cfg)}/connectors/${name}`;
  const res = await call(`${base}/${action}`, { method: 'PUT' });
  if (!res.ok) throw new StackError('connector', `${action} ${name}: HTTP ${res.status} ${await res.text()}`);
  if (!until) return;
  let state = '';
  const reached = await waitUntil(
    async () => {
      state = ((await (await call(`${base}/status`)).json()) as { connector: { state: string } }).connector.state;
      return state === until;
    },
    30_000,
    500,
  );
  if (!reached) throw new StackError('connector', `${name} did not reach ${until} in 30 s (it is ${state})`);
}

/**
 * Waits until Debezium has confirmed every change committed so far: the replication slot's
 * confirmed LSN reaches the WAL position at the call. Debezium confirms an LSN only once its
 * records are in Kafka, so after this the topics hold every change made before it.
 */
export async function waitForCapture(db: Pick<pg.Client, 'query'>, timeoutMs = 60_000): Promise<void> {
  const { rows } = await db.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  const target = rows[0]!.lsn;
  let confirmed: string | null = null;
  const caughtUp = await waitUntil(
    async () => {
      const r = await db.query<{ confirmed: string | null; done: boolean }>(
        `SELECT confirmed_flush_lsn::text AS confirmed, confirmed_flush_lsn >= $1::pg_lsn AS done
           FROM pg_replication_slots WHERE slot_name = $2`,
        [target, SLOT],
      );
      confirmed = r.rows[0]?.confirmed ?? null;
      return r.rows[0]?.done === true;
    },
    timeoutMs,
    500,
  );
  if (!caughtUp)
    throw new StackError(
      'connector',
      `Debezium did not confirm WAL position ${target} within ${timeoutMs / 1000} s (the slot ${SLOT} is at ${confirmed ?? 'nothing: it does not exist'})`,
      'is the connector running? npm run stack -- status',
    );
}

/**
 * Waits until the connector (by default Debezium's) and every one of its tasks are RUNNING (after
 * a restart of Connect, or of the connector with a new config).
 */
export async function waitForTasksRunning(cfg: StackConfig, timeoutMs = 60_000, name = CONNECTOR): Promise<void> {
  let last = '';
  const running = await waitUntil(
    async () => {
      const s = await connectorStatus(cfg, name);
      if (!s) {
        last = s === null ? 'HTTP 404' : 'Connect did not answer';
        return false;
      }
      last = `connector ${s.connector.state}, tasks ${s.tasks.map((t) => t.state).join(', ') || 'none'}`;
      return allRunning(s);
    },
    timeoutMs,
    500,
  );
  if (!running)
    throw new StackError(
      'connector',
      `${name} is not RUNNING after ${timeoutMs / 1000} s (${last})`,
      'npm run stack -- status; npm run stack -- logs connect',
    );
}
