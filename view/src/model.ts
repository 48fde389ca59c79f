/**
 * View models: what the pages show, computed from what the monitor last read. Pure functions of
 * their input (and `now`), so they are tested without any component running.
 */
import { componentLabels, componentNames, upCommand, type ComponentName } from './hints.js';
import type { ConnectorInfo } from './sources/connect.js';
import type { ChangeEvent, LatencySample, TailEvent, TopicOffsets } from './sources/kafka.js';
import type { SlotInfo } from './sources/postgres.js';
import type { DeltaStatus } from './sources/seeder.js';

export type Probe<T> = { ok: true; value: T; at: number } | { ok: false; error: string; at: number };

export interface OffsetSample {
  at: number;
  high: number;
}

/** Everything the monitor read, as of `at`. */
export interface Snapshot {
  at: number;
  runsIn: 'local' | 'compose';
  postgres: Probe<{ counts: Map<string, number | string>; countedAt: number | null; slot: SlotInfo | null }>;
  connect: Probe<ConnectorInfo[]>;
  kafka: Probe<Map<string, TopicOffsets>>;
  registry: Probe<{ subjects: number }>;
  seeder: Probe<DeltaStatus>;
  /** The connector as last seen (its tables stay on the page while Connect is down). */
  connector: ConnectorInfo | null;
  history: Map<string, OffsetSample[]>;
  latency: Map<string, LatencySample[]>;
  tail: Map<string, TailEvent[]>;
}

/** Nearest-rank percentile; null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Events per second over the window: the growth of the topic's end offset between the oldest
 * sample inside the window and the newest. Null until two samples a second apart exist.
 */
export function ratePerSecond(samples: readonly OffsetSample[], now: number, windowMs = 60_000): number | null {
  const inside = samples.filter((s) => s.at >= now - windowMs);
  if (inside.length < 2) return null;
  const first = inside[0]!;
  const last = inside.at(-1)!;
  if (last.at - first.at < 1_000) return null;
  return ((last.high - first.high) * 1000) / (last.at - first.at);
}

/** Keeps a topic's offset samples to the window (plus one before it, for a full window's rate). */
export function pruneHistory(samples: OffsetSample[], now: number, windowMs = 60_000): OffsetSample[] {
  const firstInside = samples.findIndex((s) => s.at >= now - windowMs);
  return firstInside <= 0 ? samples : samples.slice(firstInside - 1);
}

/** `public.orders` -> `orders`; another schema keeps its name. */
export const shortName = (table: string) => (table.startsWith('public.') ? table.slice('public.'.length) : table);

export const topicOf = (connector: Pick<ConnectorInfo, 'topicPrefix'>, table: string) =>
  `${connector.topicPrefix}.${table.includes('.') ? table : `public.${table}`}`;

export interface ComponentState {
  name: ComponentName;
  label: string;
  up: boolean;
  detail: string;
  /** The command that brings it back, when it is down. */
  hint?: string;
}

export interface TableRow {
  table: string;
  topic: string;
  /** Rows in the source table; a string says why there is no number. */
  sourceRows: number | string | null;
  /** Events in the topic (its end offset: every event ever appended). */
  events: number | null;
  /** Events still in the log, when retention removed older ones. */
  retained: number | null;
  lastEventAt: number | null;
  ratePerSecond: number | null;
  latencyP50: number | null;
  latencyP99: number | null;
  latencySamples: number;
}

export interface ConnectorView {
  name: string;
  state: string;
  trace: string | undefined;
  tasks: { id: number; state: string; trace: string | undefined }[];
  /** The actions that make sense in this state (each a POST). */
  actions: ('pause' | 'resume' | 'restart')[];
}

export interface PipelineView {
  at: number;
  components: ComponentState[];
  down: ComponentState[];
  connector: ConnectorView | null;
  rows: TableRow[];
  totals: { sourceRows: number; events: number; ratePerSecond: number };
  slot: (SlotInfo & { exists: true }) | { name: string | undefined; exists: false } | null;
  countedAt: number | null;
  deltas: {
    state: string;
    targetRate: number | null;
    recentRate: number;
    rowChanges: number;
    lastError: string | null;
  } | null;
}

function componentStates(s: Snapshot): ComponentState[] {
  const state = (name: ComponentName, probe: Probe<unknown>, detail: string): ComponentState => ({
    name,
    label: componentLabels[name],
    up: probe.ok,
    detail: probe.ok ? detail : probe.error,
    ...(probe.ok ? {} : { hint: upCommand(name, s.runsIn) }),
  });
  const registered = s.connect.ok ? s.connect.value[0] : undefined;
  const connector: ComponentState = !s.connect.ok
    ? { name: 'connector', label: componentLabels.connector, up: false, detail: 'unknown while Kafka Connect is down' }
    : registered
      ? {
          name: 'connector',
          label: componentLabels.connector,
          up: true,
          detail: `${registered.name}: ${registered.state}`,
        }
      : {
          name: 'connector',
          label: componentLabels.connector,
          up: false,
          detail: 'no Debezium PostgreSQL connector is registered',
          hint: upCommand('connector', s.runsIn),
        };
  const byName: Record<ComponentName, ComponentState> = {
    postgres: state('postgres', s.postgres, 'answers'),
    seeder: state('seeder', s.seeder, s.seeder.ok ? `deltas ${s.seeder.value.state}` : ''),
    kafka: state('kafka', s.kafka, s.kafka.ok ? `${s.kafka.value.size} captured topics` : ''),
    registry: state('registry', s.registry, s.registry.ok ? `${s.registry.value.subjects} subjects` : ''),
    connect: state('connect', s.connect, 'answers'),
    connector,
  };
  return componentNames.map((n) => byName[n]);
}

function actionsFor(state: string): ConnectorView['actions'] {
  if (state === 'PAUSED' || state === 'STOPPED') return ['resume', 'restart'];
  return ['pause', 'restart'];
}

export function pipelineView(s: Snapshot): PipelineView {
  const components = componentStates(s);
  const c = s.connector;
  const rows: TableRow[] = (c?.tables ?? []).map((table) => {
    const topic = topicOf(c!, table);
    const offsets = s.kafka.ok ? s.kafka.value.get(topic) : undefined;
    const latency = (s.latency.get(topic) ?? []).map((l) => l.ms);
    const tail = s.tail.get(topic) ?? [];
    const count = s.postgres.ok ? s.postgres.value.counts.get(table) : undefined;
    return {
      table: shortName(table),
      topic,
      sourceRows: count ?? null,
      // A topic Debezium has not created yet holds no event.
      events: s.kafka.ok ? (offsets?.high ?? 0) : null,
      retained: offsets && offsets.low > 0 ? offsets.high - offsets.low : null,
      lastEventAt: tail.length ? Math.max(...tail.map((e) => e.timestamp)) : null,
      ratePerSecond: ratePerSecond(s.history.get(topic) ?? [], s.at),
      latencyP50: percentile(latency, 50),
      latencyP99: percentile(latency, 99),
      latencySamples: latency.length,
    };
  });
  const sum = (f: (r: TableRow) => number | string | null) =>
    rows.reduce((n, r) => n + (typeof f(r) === 'number' ? (f(r) as number) : 0), 0);
  const slotName = c?.slot;
  return {
    at: s.at,
    components,
    down: components.filter((x) => !x.up && x.hint),
    connector:
      s.connect.ok && s.connect.value[0]
        ? { ...s.connect.value[0], actions: actionsFor(s.connect.value[0].state) }
        : null,
    rows,
    totals: {
      sourceRows: sum((r) => r.sourceRows),
      events: sum((r) => r.events),
      ratePerSecond: sum((r) => r.ratePerSecond),
    },
    slot: !s.postgres.ok
      ? null
      : s.postgres.value.slot
        ? { ...s.postgres.value.slot, exists: true }
        : { name: slotName, exists: false },
    countedAt: s.postgres.ok ? s.postgres.value.countedAt : null,
    deltas: s.seeder.ok
      ? {
          state: s.seeder.value.state,
          // The profile's target now (a burst's, the compressed day's), not its base rate.
          targetRate: s.seeder.value.state === 'stopped' ? null : s.seeder.value.targetRate,
          recentRate: s.seeder.value.recentRate,
          rowChanges: s.seeder.value.rowChanges,
          lastError: s.seeder.value.lastError,
        }
      : null,
  };
}

export interface Change {
  column: string;
  before?: string;
  after?: string;
}

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? 'null'));

/** An update's changed columns (before -> after); a create's or read's row; a delete's old row. */
export function changedColumns(e: Pick<ChangeEvent, 'op' | 'before' | 'after'>): Change[] {
  if (e.op === 'u' && e.before && e.after) {
    return Object.keys(e.after)
      .filter((k) => show(e.before![k]) !== show(e.after![k]))
      .map((k) => ({ column: k, before: show(e.before![k]), after: show(e.after![k]) }));
  }
  if (e.op === 'd') return Object.entries(e.before ?? {}).map(([k, v]) => ({ column: k, before: show(v) }));
  return Object.entries(e.after ?? {}).map(([k, v]) => ({ column: k, after: show(v) }));
}

export const opNames: Record<string, string> = {
  r: 'read',
  c: 'create',
  u: 'update',
  d: 'delete',
  t: 'truncate',
};

export interface EventRow {
  partition: number;
  offset: number;
  op: string;
  key: string;
  changes: Change[];
  committedAt: number | null;
  sentAt: number;
  latencyMs: number | null;
  schemaId: number | null;
  /** Why it could not be decoded (the registry is down), instead of its content. */
  error?: string;
}

export function eventRow(
  e: TailEvent,
  decoded: { key: unknown; value: ChangeEvent | null } | Error,
  schemaId: (buf: Buffer) => number,
): EventRow {
  const base = {
    partition: e.partition,
    offset: e.offset,
    sentAt: e.timestamp,
    schemaId: e.value && e.value.length >= 5 ? schemaId(e.value) : null,
  };
  if (decoded instanceof Error)
    return { ...base, op: '?', key: '', changes: [], committedAt: null, latencyMs: null, error: decoded.message };
  const key = decoded.key && typeof decoded.key === 'object' ? Object.values(decoded.key).map(String).join(', ') : '';
  const v = decoded.value;
  if (!v) return { ...base, op: 'tombstone', key, changes: [], committedAt: null, latencyMs: null };
  return {
    ...base,
    op: opNames[v.op] ?? v.op,
    key,
    changes: changedColumns(v),
    committedAt: v.source.ts_ms,
    latencyMs: e.timestamp - v.source.ts_ms,
  };
}

/** 1.2 MB, 340 B: the slot's lag. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** "4 s ago", "3 min ago", "2 h ago". */
export function ago(then: number | null, now: number): string {
  if (then === null) return '–';
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}
