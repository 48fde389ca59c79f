/**
 * Reads every endpoint every couple of seconds while someone looks at the view, and nothing when
 * nobody does: an idle view costs the pipeline nothing (the benchmarks run beside it).
 */
import type pg from 'pg';
import type { ViewEnv } from './config.js';
import { pruneHistory, topicOf, type Probe, type Snapshot } from './model.js';
import { debeziumConnectors, type ConnectorInfo } from './sources/connect.js';
import { KafkaOffsets, Tail, type TopicOffsets } from './sources/kafka.js';
import { countRows, slotInfo } from './sources/postgres.js';
import { listSubjects } from './sources/registry.js';
import { deltaStatus } from './sources/seeder.js';

const oneLine = (err: unknown) => ((err as Error).message || String(err)).split('\n')[0]!;

async function probe<T>(read: () => Promise<T>): Promise<Probe<T>> {
  try {
    return { ok: true, value: await read(), at: Date.now() };
  } catch (err) {
    return { ok: false, error: oneLine(err), at: Date.now() };
  }
}

export interface MonitorOptions {
  intervalMs: number;
  /** Stops reading this long after the last page or fragment was asked for. */
  idleMs: number;
}

export class Monitor {
  private snapshot: Snapshot | undefined;
  private polling: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastWatched = 0;
  private connector: ConnectorInfo | null = null;
  private readonly history = new Map<string, { at: number; high: number }[]>();
  private counts: { counts: Map<string, number | string>; countedAt: number } | undefined;
  private countsDueAt = 0;

  constructor(
    private readonly env: ViewEnv,
    private readonly pool: pg.Pool,
    private readonly offsets: KafkaOffsets,
    readonly tail: Tail,
    private readonly options: MonitorOptions = { intervalMs: 2_000, idleMs: 60_000 },
  ) {}

  /** The latest snapshot; the first look (or one after an idle spell) waits for a fresh one. */
  async watch(): Promise<Snapshot> {
    this.lastWatched = Date.now();
    const stale = !this.snapshot || Date.now() - this.snapshot.at > this.options.intervalMs * 3;
    if (!this.timer) this.schedule();
    if (stale) await this.poll();
    return this.snapshot!;
  }

  /** Reads again now (after an action, so the page shows its effect). */
  refresh(): Promise<void> {
    this.countsDueAt = 0;
    return this.poll();
  }

  private schedule(): void {
    this.timer = setTimeout(async () => {
      this.timer = undefined;
      if (Date.now() - this.lastWatched > this.options.idleMs) {
        // Nobody looks: let go of the consumer too.
        await this.tail.stop();
        return;
      }
      await this.poll();
      this.schedule();
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private poll(): Promise<void> {
    this.polling ??= this.read().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async read(): Promise<void> {
    const e = this.env;
    const connect = await probe(() => debeziumConnectors(e.CONNECT_URL));
    if (connect.ok) this.connector = connect.value[0] ?? null;
    const c = this.connector;
    const topics = c ? c.tables.map((t) => topicOf(c, t)) : [];
    const [postgres, kafka, registry, seeder] = await Promise.all([
      probe(() => this.readPostgres(c)),
      probe(() => this.offsets.read(topics)),
      probe(async () => ({ subjects: (await listSubjects(e.REGISTRY_URL)).length })),
      probe(() => deltaStatus(e.SEEDER_URL)),
    ]);
    const now = Date.now();
    if (kafka.ok) {
      this.record(kafka.value, now);
      // The tail follows the captured topics that exist; a failure shows as Kafka down next time.
      await this.tail.follow(topics, kafka.value).catch(() => this.tail.stop());
    }
    this.snapshot = {
      at: now,
      runsIn: e.VIEW_RUNS_IN,
      postgres,
      connect: connect as Probe<ConnectorInfo[]>,
      kafka,
      registry,
      seeder,
      connector: this.connector,
      history: this.history,
      latency: this.tail.latency,
      tail: this.tail.events,
    };
  }

  private record(offsets: Map<string, TopicOffsets>, now: number): void {
    for (const [topic, o] of offsets) {
      const samples = this.history.get(topic) ?? [];
      samples.push({ at: now, high: o.high });
      this.history.set(topic, pruneHistory(samples, now));
    }
  }

  /**
   * Exact counts, but no more often than ten times what the last count took: counting tens of
   * millions of rows every two seconds would slow the database under test.
   */
  private async readPostgres(c: ConnectorInfo | null) {
    // Always one query, so a database that is down shows as down even before a connector is known.
    const slot = await slotInfo(this.pool, c?.slot ?? '');
    if (c && (!this.counts || Date.now() >= this.countsDueAt)) {
      const started = Date.now();
      const counts = await countRows(this.pool, c.tables);
      this.counts = { counts, countedAt: Date.now() };
      this.countsDueAt = Date.now() + Math.max(this.options.intervalMs, 10 * (Date.now() - started));
    }
    return {
      counts: this.counts?.counts ?? new Map<string, number | string>(),
      countedAt: this.counts?.countedAt ?? null,
      slot,
    };
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.tail.stop();
    await this.offsets.close();
  }
}
