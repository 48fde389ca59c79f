/**
 * `npm run stack -- events <table>`: a table's change events, live, decoded through the
 * registry — what AKHQ shows, for those without Docker.
 */
import { Kafka, logLevel } from 'kafkajs';
import { StackError } from '../component.js';
import type { Decoder } from './avro.js';
import { connector } from './connector.js';
import type { ChangeEvent } from './replica.js';
import { changedColumns, opNames } from '../../../view/src/model.js';

/** For an update, only the columns that changed: `status: "placed" -> "paid"` (as the pipeline view shows them). */
export function describeChange(e: ChangeEvent): string {
  if (e.op === 'u' && e.before && e.after)
    return changedColumns(e)
      .map((c) => `${c.column}: ${c.before} -> ${c.after}`)
      .join(', ');
  return JSON.stringify(e.op === 'd' ? e.before : e.after);
}

export async function printEvents(options: {
  brokers: string[];
  topic: string;
  decoder: Decoder;
  fromBeginning: boolean;
  limit: number;
  write: (line: string) => void;
}): Promise<void> {
  const kafka = new Kafka({
    clientId: 'storefront-events',
    brokers: options.brokers,
    // Not kafkajs's own lines: an unreachable broker is reported once, below, with what to do.
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 2 },
  });
  const admin = kafka.admin();
  let topics: string[];
  try {
    await admin.connect();
    topics = await admin.listTopics();
  } catch (err) {
    throw new StackError(
      'events',
      `Kafka at ${options.brokers.join(', ')} is unreachable (${(err as Error).message})`,
      'is the streaming layer up? npm run stack -- status (with Docker: docker compose -f docker-compose.streaming.yaml ps)',
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  if (!topics.includes(options.topic)) {
    const captured = topics.filter((t) => t.startsWith(`${connector.topicPrefix}.`));
    throw new StackError(
      'events',
      `no topic ${options.topic} yet${captured.length ? `; topics: ${captured.join(', ')}` : ''}`,
      captured.length
        ? 'the table has had no change since the connector started; change a row, or load the shop (POST /full-load)'
        : 'is the connector RUNNING? npm run stack -- status, and curl -s localhost:8083/connectors?expand=status',
    );
  }
  const consumer = kafka.consumer({ groupId: `storefront-events-${process.pid}-${Date.now()}` });
  await consumer.connect();
  let seen = 0;
  let failure: unknown;
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  process.once('SIGINT', () => stop());
  await consumer.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning });
  options.write(
    `listening on ${options.topic} (${options.fromBeginning ? 'from the beginning' : 'new events only'}; Ctrl-C to stop)`,
  );
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ message }) => {
      if (seen >= options.limit || failure) return;
      let key: unknown;
      let value: ChangeEvent | null;
      try {
        key = await options.decoder.decode(message.key);
        value = (await options.decoder.decode(message.value)) as ChangeEvent | null;
      } catch (err) {
        failure = new StackError(
          'events',
          `offset ${message.offset} of ${options.topic} does not decode: ${(err as Error).message}`,
          'is the registry up, and is it the one Connect registered the schemas with? npm run stack -- subjects',
        );
        stop();
        return;
      }
      const id = message.value ? `schema ${options.decoder.schemaId(message.value)}` : 'tombstone';
      if (!value) {
        options.write(`tombstone key=${JSON.stringify(key)}`);
      } else {
        const committed = new Date(value.source.ts_ms).toISOString();
        const lag = Date.now() - value.source.ts_ms;
        options.write(
          `${committed} ${opNames[value.op] ?? value.op} key=${JSON.stringify(key)} (${id}, ${lag} ms after commit)\n    ${describeChange(value)}`,
        );
      }
      if (++seen >= options.limit) stop();
    },
  });
  await stopped;
  await consumer.disconnect();
  if (failure) throw failure;
}
