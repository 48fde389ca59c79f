/**
 * The Debezium connector's identity, read from its template, the file connect-init registers: its
 * name, replication slot, publication, topic prefix and captured tables are the template's own
 * settings. Nothing else spells them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../config.js';

export const connectorFile = path.join(ROOT, 'connectors', 'debezium-postgres.template.json');
const template = JSON.parse(readFileSync(connectorFile, 'utf8')) as Record<string, string>;

function setting(key: string): string {
  const value = template[key];
  if (!value) throw new Error(`${path.relative(ROOT, connectorFile)} has no "${key}"`);
  return value;
}

export const connector = {
  name: setting('name'),
  slot: setting('slot.name'),
  publication: setting('publication.name'),
  topicPrefix: setting('topic.prefix'),
  /** The captured tables, unqualified, in the template's order. */
  tables: setting('table.include.list')
    .split(',')
    .map((t) => t.trim().replace(/^public\./, '')),
  /** The template as written (${VAR} placeholders unfilled). */
  template: template as Readonly<Record<string, string>>,
};

/** The topic a captured table's change events go to. */
export const topicOf = (table: string) => `${connector.topicPrefix}.public.${table}`;

/** A captured table's topic as Debezium creates it: the template's `topic.creation.default.*`. */
export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor: number;
  /** Every other `topic.creation.default.*` setting: topic configs, such as cleanup.policy. */
  configs: Record<string, string>;
}

/**
 * The topics of `tables`, with the settings Debezium would create them with. The lakehouse layer
 * creates them before its sink subscribes (compose/lakehouse/topics.sh does the same from the
 * same template; a unit test says they agree).
 */
export function topicSpecs(tables: readonly string[] = connector.tables): TopicSpec[] {
  const prefix = 'topic.creation.default.';
  const defaults = Object.fromEntries(
    Object.entries(connector.template)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => [key.slice(prefix.length), value]),
  );
  const { partitions, 'replication.factor': replication, ...configs } = defaults;
  return tables.map((table) => ({
    topic: topicOf(table),
    partitions: Number(partitions ?? 1),
    replicationFactor: Number(replication ?? 1),
    configs,
  }));
}
