/**
 * Kafka as the view reads it: each captured topic's offsets (admin API), and a tail of its latest
 * events (one consumer for all of them, no committed offsets) kept raw and decoded on demand.
 */
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';

/** A change event's fields the view reads (Debezium's envelope). */
export interface ChangeEvent {
  op: 'r' | 'c' | 'u' | 'd' | 't';
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  source: { ts_ms: number; snapshot?: string | null };
}

export interface Decoder {
  decode(buf: Buffer | null): Promise<Record<string, unknown> | null>;
  schemaId(buf: Buffer): number;
}

export interface TopicOffsets {
  /** Earliest offset still in the log (retention may have removed older ones). */
  low: number;
  /** The next offset to be written: events ever appended = high. */
  high: number;
}

export interface TailEvent {
  partition: number;
  offset: number;
  /** The record's timestamp: when Connect's producer sent it. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  decoded?: Promise<{ key: unknown; value: ChangeEvent | null }>;
}

export function kafkaClient(bootstrap: string): Kafka {
  return new Kafka({
    clientId: 'storefront-pipeline-view',
    brokers: bootstrap.split(','),
    // The page says when Kafka is down; kafkajs's own lines would only repeat it in the log.
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    requestTimeout: 5_000,
    retry: { retries: 1, initialRetryTime: 200 },
  });
}

export class KafkaOffsets {
  private admin: Admin | undefined;

  constructor(private readonly kafka: Kafka) {}

  /** Offsets of the wanted topics that exist (Debezium creates a topic with its first event). */
  async read(topics: string[]): Promise<Map<string, TopicOffsets>> {
    try {
      if (!this.admin) {
        this.admin = this.kafka.admin();
        await this.admin.connect();
      }
      const existing = new Set(await this.admin.listTopics());
      const out = new Map<string, TopicOffsets>();
      await Promise.all(
        topics
          .filter((t) => existing.has(t))
          .map(async (topic) => {
            const parts = await this.admin!.fetchTopicOffsets(topic);
            out.set(topic, {
              low: parts.reduce((n, p) => n + Number(p.low), 0),
              high: parts.reduce((n, p) => n + Number(p.high), 0),
            });
          }),
      );
      return out;
    } catch (err) {
      // A fresh client next time: kafkajs's admin does not always recover from a broker restart.
      const admin = this.admin;
      this.admin = undefined;
      await admin?.disconnect().catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = undefined;
  }
}

export interface LatencySample {
  /** When the event reached Kafka (its record timestamp). */
  at: number;
  /** Record timestamp minus the source commit time (source.ts_ms). */
  ms: number;
}

/**
 * The latest `keep` events of each topic, live. Starts `keep` events before each partition's end
 * so the topic view has history at once; follows new topics by starting again (a new group).
 * Decodes a sample of each batch of new events for commit-to-Kafka latency, so a fast stream costs
 * the view little; what the page shows is decoded when it is shown.
 */
export class Tail {
  readonly events = new Map<string, TailEvent[]>();
  readonly latency = new Map<string, LatencySample[]>();
  private consumer: Consumer | undefined;
  private topics: string[] = [];
  private generation = 0;
  /** Latency is sampled from events that arrive while the tail runs, not from the history it starts with. */
  private liveSince = Infinity;

  constructor(
    private readonly kafka: Kafka,
    private readonly decoder: Decoder,
    private readonly keep = 50,
    private readonly latencySamples = 300,
  ) {}

  decode(event: TailEvent): Promise<{ key: unknown; value: ChangeEvent | null }> {
    event.decoded ??= Promise.all([this.decoder.decode(event.key), this.decoder.decode(event.value)]).then(
      ([key, value]) => ({ key, value: value as ChangeEvent | null }),
    );
    // A failure (the registry is down) is not kept: the next look tries again.
    event.decoded.catch(() => (event.decoded = undefined));
    return event.decoded;
  }

  /** Follows exactly these topics (those that exist), starting again when the set changed. */
  async follow(topics: string[], offsets: Map<string, TopicOffsets>): Promise<void> {
    const wanted = topics.filter((t) => offsets.has(t)).sort();
    if (this.consumer && wanted.join() === this.topics.join()) return;
    await this.stop();
    if (wanted.length === 0) return;
    const generation = ++this.generation;
    const consumer = this.kafka.consumer({
      groupId: `storefront-pipeline-view-${process.pid}-${Date.now()}`,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 200,
    });
    this.consumer = consumer;
    this.topics = wanted;
    consumer.on(consumer.events.CRASH, (e) => {
      // kafkajs restarts the consumer itself when it can; when it gives up, follow() starts anew.
      if (!e.payload.restart && this.generation === generation) this.consumer = undefined;
    });
    for (const topic of wanted) this.events.set(topic, []);
    this.liveSince = Date.now();
    await consumer.connect();
    await consumer.subscribe({ topics: wanted, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const ring = this.events.get(batch.topic) ?? [];
        const fresh = batch.messages.map((m) => ({
          partition: batch.partition,
          offset: Number(m.offset),
          timestamp: Number(m.timestamp),
          key: m.key,
          value: m.value,
        }));
        // Events fetched before the seek below took effect come again after it: keep one of each.
        const first = fresh[0]?.offset ?? Infinity;
        const kept = ring.filter((e) => e.partition !== batch.partition || e.offset < first);
        this.events.set(batch.topic, [...kept, ...fresh].slice(-this.keep));
        await this.sample(batch.topic, fresh.slice(-5));
      },
    });
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      for (const topic of wanted) {
        for (const p of await admin.fetchTopicOffsets(topic)) {
          const from = Math.max(Number(p.low), Number(p.high) - this.keep);
          consumer.seek({ topic, partition: p.partition, offset: String(from) });
        }
      }
    } finally {
      await admin.disconnect();
    }
  }

  private async sample(topic: string, events: TailEvent[]): Promise<void> {
    const samples = this.latency.get(topic) ?? [];
    for (const e of events) {
      if (!e.value || e.timestamp < this.liveSince) continue;
      try {
        const { value } = await this.decode(e);
        if (value && value.op !== 'r') samples.push({ at: e.timestamp, ms: e.timestamp - value.source.ts_ms });
      } catch {
        // The registry is down: no sample; the page says why.
      }
    }
    this.latency.set(topic, samples.slice(-this.latencySamples));
  }

  get following(): boolean {
    return this.consumer !== undefined;
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    this.topics = [];
    await consumer?.disconnect().catch(() => undefined);
  }
}
