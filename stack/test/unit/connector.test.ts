/** The captured tables are named in three places that must agree; this says so. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tables } from '../../../seeder/src/db/tables.js';
import { connector, topicOf } from '../../src/cdc/connector.js';
import { ROOT } from '../../src/config.js';

/** Tables the migrations put in the publication (CREATE PUBLICATION ... FOR TABLE, ALTER ... ADD TABLE). */
function publicationTables(): string[] {
  const dir = path.join(ROOT, 'migrations');
  const sql = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort((a, b) => Number(/^V(\d+)/.exec(a)![1]) - Number(/^V(\d+)/.exec(b)![1]))
    .map((f) => readFileSync(path.join(dir, f), 'utf8').replace(/--.*$/gm, ''))
    .join('\n');
  const name = connector.publication;
  const out: string[] = [];
  for (const m of sql.matchAll(
    new RegExp(`(?:CREATE PUBLICATION ${name}\\s+FOR TABLE|ALTER PUBLICATION ${name} ADD TABLE)([^;]+);`, 'gi'),
  ))
    out.push(...m[1]!.split(',').map((t) => t.trim()));
  return out;
}

describe('the captured tables', () => {
  it("are the seeder's tables, in the connector template's table.include.list", () => {
    expect(connector.tables).toEqual([...tables]);
  });

  it("are all in the migrations' publication (which adds only the heartbeat table besides)", () => {
    const published = publicationTables();
    expect(published).toEqual(expect.arrayContaining([...tables]));
    expect(published.filter((t) => !(tables as readonly string[]).includes(t))).toEqual(['debezium_heartbeat']);
  });

  it('have their topics under the template topic prefix', () => {
    expect(topicOf('orders')).toBe(`${connector.template['topic.prefix']}.public.orders`);
  });
});
