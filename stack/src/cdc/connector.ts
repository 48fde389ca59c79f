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
