import { describe, expect, it } from 'vitest';
import {
  ago,
  changedColumns,
  eventRow,
  formatBytes,
  percentile,
  pipelineView,
  pruneHistory,
  ratePerSecond,
  type Snapshot,
} from '../../src/model.js';
import type { ConnectorInfo } from '../../src/sources/connect.js';
import type { TailEvent } from '../../src/sources/kafka.js';

const NOW = 1_800_000_000_000;

const connector = (state = 'RUNNING', trace?: string): ConnectorInfo => ({
  name: 'storefront-postgres-connector',
  state,
  trace: undefined,
  tasks: [{ id: 0, state: trace ? 'FAILED' : state, trace }],
  topicPrefix: 'storefront',
  slot: 'storefront_debezium',
  tables: ['public.customers', 'public.orders'],
});

function snapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  const c = connector();
  return {
    at: NOW,
    runsIn: 'local',
    postgres: {
      ok: true,
      at: NOW,
      value: {
        counts: new Map<string, number | string>([
          ['public.customers', 10],
          ['public.orders', 'not readable by the view’s role'],
        ]),
        countedAt: NOW - 1_000,
        slot: { name: 'storefront_debezium', active: true, lagBytes: 2048, walStatus: 'reserved' },
      },
    },
    connect: { ok: true, at: NOW, value: [c] },
    kafka: { ok: true, at: NOW, value: new Map([['storefront.public.customers', { low: 0, high: 12 }]]) },
    registry: { ok: true, at: NOW, value: { subjects: 4 } },
    seeder: {
      ok: true,
      at: NOW,
      value: {
        state: 'running',
        settings: { ratePerSecond: 20 },
        targetRate: 20,
        achievedRate: 19,
        recentRate: 20,
        rowChanges: 100,
        errors: 0,
        lastError: null,
      },
    },
    connector: c,
    history: new Map([
      [
        'storefront.public.customers',
        [
          { at: NOW - 30_000, high: 2 },
          { at: NOW, high: 12 },
        ],
      ],
    ]),
    latency: new Map([['storefront.public.customers', [10, 20, 30, 40, 500].map((ms, i) => ({ at: NOW - i, ms }))]]),
    tail: new Map([
      ['storefront.public.customers', [{ partition: 0, offset: 11, timestamp: NOW - 4_000, key: null, value: null }]],
    ]),
    ...overrides,
  };
}

describe('percentile and rate', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it('measures events per second over the window from the end offsets', () => {
    const samples = [
      { at: NOW - 90_000, high: 0 },
      { at: NOW - 60_000, high: 100 },
      { at: NOW, high: 700 },
    ];
    expect(ratePerSecond(samples, NOW)).toBe(10);
    expect(ratePerSecond(samples.slice(-1), NOW)).toBeNull();
    expect(
      ratePerSecond(
        [
          { at: NOW - 500, high: 0 },
          { at: NOW, high: 5 },
        ],
        NOW,
      ),
    ).toBeNull();
  });

  it('keeps one sample before the window, so a full window can be measured', () => {
    const samples = [0, 20, 50, 70, 90].map((s) => ({ at: NOW - 100_000 + s * 1000, high: s }));
    expect(pruneHistory(samples, NOW).map((s) => s.high)).toEqual([20, 50, 70, 90]);
  });
});

describe('pipelineView', () => {
  it('has a row per captured table with rows, events, rate, latency and the last event', () => {
    const v = pipelineView(snapshot());
    expect(v.rows.map((r) => r.table)).toEqual(['customers', 'orders']);
    const [customers, orders] = v.rows;
    expect(customers).toMatchObject({
      topic: 'storefront.public.customers',
      sourceRows: 10,
      events: 12,
      lastEventAt: NOW - 4_000,
      latencyP50: 30,
      latencyP99: 500,
      latencySamples: 5,
    });
    expect(customers!.ratePerSecond).toBeCloseTo(10 / 30);
    // No topic yet: no event; a table the role cannot read says so.
    expect(orders).toMatchObject({ events: 0, sourceRows: 'not readable by the view’s role', lastEventAt: null });
    expect(v.totals).toMatchObject({ sourceRows: 10, events: 12 });
    expect(v.slot).toMatchObject({ exists: true, lagBytes: 2048 });
    expect(v.deltas).toMatchObject({ state: 'running', targetRate: 20 });
    expect(v.down).toEqual([]);
  });

  it('shows a component that is down with the command that brings it back, on each path', () => {
    const down = {
      ok: false as const,
      at: NOW,
      error: 'http://127.0.0.1:8081/apis/ccompat/v7/subjects does not answer',
    };
    const local = pipelineView(snapshot({ registry: down }));
    expect(local.down).toEqual([
      expect.objectContaining({ name: 'registry', up: false, hint: 'npm run stack -- up streaming' }),
    ]);
    const compose = pipelineView(snapshot({ registry: down, runsIn: 'compose' }));
    expect(compose.down[0]!.hint).toBe('docker compose -f docker-compose.streaming.yaml up -d registry');
  });

  it('keeps the tables of the last known connector while Connect is down', () => {
    const v = pipelineView(snapshot({ connect: { ok: false, at: NOW, error: 'refused' } }));
    expect(v.rows).toHaveLength(2);
    expect(v.connector).toBeNull();
    expect(v.down.map((c) => c.name)).toEqual(['connect']);
  });

  it('says when no connector is registered, and how to register it', () => {
    const v = pipelineView(snapshot({ connect: { ok: true, at: NOW, value: [] }, runsIn: 'compose' }));
    expect(v.down).toEqual([
      expect.objectContaining({
        name: 'connector',
        hint: 'docker compose -f docker-compose.streaming.yaml up connect-init',
      }),
    ]);
  });

  it('offers resume when paused, pause when running, and shows a failed task with its trace', () => {
    const paused = pipelineView(snapshot({ connect: { ok: true, at: NOW, value: [connector('PAUSED')] } }));
    expect(paused.connector?.actions).toEqual(['resume', 'restart']);
    const failed = pipelineView(
      snapshot({ connect: { ok: true, at: NOW, value: [connector('RUNNING', 'boom\n at x')] } }),
    );
    expect(failed.connector?.actions).toEqual(['pause', 'restart']);
    expect(failed.connector?.tasks[0]).toEqual({ id: 0, state: 'FAILED', trace: 'boom\n at x' });
  });

  it("shows the rate profile's target now, not its base rate, and none when stopped", () => {
    const seeder = snapshot().seeder;
    if (!seeder.ok) throw new Error('the snapshot has a seeder');
    const at = (state: 'running' | 'stopped', targetRate: number) =>
      pipelineView(snapshot({ seeder: { ...seeder, value: { ...seeder.value, state, targetRate } } })).deltas;
    expect(at('running', 100)).toMatchObject({ targetRate: 100 }); // a burst of 5x the base 20/s
    expect(at('stopped', 0)).toMatchObject({ targetRate: null });
  });

  it('has no numbers where a component is down, rather than zeros', () => {
    const v = pipelineView(
      snapshot({
        kafka: { ok: false, at: NOW, error: 'refused' },
        postgres: { ok: false, at: NOW, error: 'refused' },
      }),
    );
    expect(v.rows[0]).toMatchObject({ events: null, sourceRows: null });
    expect(v.slot).toBeNull();
  });
});

describe('events', () => {
  it('lists only the changed columns of an update, before and after', () => {
    expect(
      changedColumns({
        op: 'u',
        before: { id: 1, status: 'placed', total: '9.50' },
        after: { id: 1, status: 'paid', total: '9.50' },
      }),
    ).toEqual([{ column: 'status', before: '"placed"', after: '"paid"' }]);
    expect(changedColumns({ op: 'c', before: null, after: { id: 2 } })).toEqual([{ column: 'id', after: '2' }]);
    expect(changedColumns({ op: 'd', before: { id: 3 }, after: null })).toEqual([{ column: 'id', before: '3' }]);
  });

  const raw: TailEvent = {
    partition: 0,
    offset: 41,
    timestamp: NOW,
    key: Buffer.from([0, 0, 0, 0, 3]),
    value: Buffer.from([0, 0, 0, 0, 4, 1]),
  };
  const schemaId = (b: Buffer) => b.readUInt32BE(1);

  it('shows op, key, commit time, latency and schema id', () => {
    const row = eventRow(
      raw,
      { key: { id: 7 }, value: { op: 'u', before: { a: 1 }, after: { a: 2 }, source: { ts_ms: NOW - 25 } } },
      schemaId,
    );
    expect(row).toMatchObject({
      offset: 41,
      op: 'update',
      key: '7',
      committedAt: NOW - 25,
      latencyMs: 25,
      schemaId: 4,
    });
  });

  it('shows a tombstone as one, and an event it cannot decode with why', () => {
    expect(eventRow({ ...raw, value: null }, { key: { id: 7 }, value: null }, schemaId)).toMatchObject({
      op: 'tombstone',
      schemaId: null,
    });
    expect(eventRow(raw, new Error('not decoded: registry down'), schemaId)).toMatchObject({
      error: 'not decoded: registry down',
      schemaId: 4,
    });
  });
});

describe('formats', () => {
  it('bytes and ages', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(8704)).toBe('8.5 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
    expect(ago(null, NOW)).toBe('–');
    expect(ago(NOW - 4_000, NOW)).toBe('4 s ago');
    expect(ago(NOW - 10 * 60_000, NOW)).toBe('10 min ago');
  });
});
