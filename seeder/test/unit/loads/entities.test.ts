/** The full load's entity table: every part rendered, every storefront table written, chunks cover exactly. */
import { describe, expect, it } from 'vitest';
import { tables } from '../../../src/db/tables.js';
import {
  CHUNK,
  chunksOf,
  FIRST_CHUNK,
  countLines,
  entities,
  entityNames,
  partsOf,
  type EntityName,
  renderChunk,
} from '../../../src/loads/entities.js';
import { testPlan } from '../../support/plan.js';

const plan = testPlan(11, { customers: 300, products: 40, orders: 900 });

describe('the entity table', () => {
  it('renders exactly the parts it declares, each with rows in the declared columns', () => {
    for (const entity of entityNames) {
      const rendered = renderChunk(plan, { entity, from: 0, to: plan[entity] });
      expect(Object.keys(rendered).sort()).toEqual(Object.keys(entities[entity].parts).sort());
      for (const [part, text] of partsOf(entity, rendered)) {
        expect(countLines(text), `${entity} → ${part.table}`).toBeGreaterThan(0);
        const first = text.slice(0, text.indexOf('\n')).split('\t');
        expect(first, `${entity} → ${part.table} columns`).toHaveLength(part.columns.length);
      }
    }
  });

  it('writes every storefront table but the catalog (upserted as reference data)', () => {
    const written = new Set(entityNames.flatMap((e) => Object.values(entities[e].parts).map((p) => p.table)));
    expect([...written].sort()).toEqual(tables.filter((t) => t !== 'categories').sort());
  });

  it('reserves each of the plan’s id blocks exactly once', () => {
    const keys = entityNames.flatMap((e) => entities[e].reserves.map(([key]) => key));
    expect(keys.sort()).toEqual(Object.keys(plan.firstId).sort());
  });

  it('cuts a load into chunks that cover every entity exactly once, in load order', () => {
    const counts = { customers: 2 * CHUNK + 1, products: 0, orders: CHUNK };
    const chunks = chunksOf(counts);
    expect([...new Set(chunks.map((c) => c.entity))]).toEqual(['customers', 'orders']);
    for (const entity of entityNames) {
      const mine = chunks.filter((c) => c.entity === entity);
      expect(mine.reduce((n, c) => n + (c.to - c.from), 0)).toBe(counts[entity]);
      mine.forEach((c, i) => expect(c.from).toBe(i === 0 ? 0 : mine[i - 1]!.to));
    }
  });

  it('starts each entity with a small chunk, doubling up to CHUNK, so no COPY waits long for its rendering', () => {
    const counts = { customers: 3 * CHUNK, products: CHUNK, orders: 3 * CHUNK };
    const sizes = (entity: EntityName) =>
      chunksOf(counts)
        .filter((c) => c.entity === entity)
        .map((c) => c.to - c.from);
    const f = FIRST_CHUNK;
    expect(sizes('customers')).toEqual([f, 2 * f, 4 * f, CHUNK, CHUNK, f]);
    expect(sizes('products')).toEqual([f, 2 * f, 4 * f, f]);
    expect(sizes('orders')).toEqual(sizes('customers'));
  });
});
