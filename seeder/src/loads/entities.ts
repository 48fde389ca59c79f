/**
 * What a full load writes, as data: each entity a request counts (customers, products, orders),
 * the id blocks it reserves, how it renders a chunk, and which table and columns each part of the
 * rendered chunk is COPYed into. The load (load.ts), its render worker and the bench's COPY limit
 * (bench/full-load.ts) all read this table; adding an entity or a part is one entry here.
 */
import { columns, type Table } from '../db/tables.js';
import { renderCustomers } from '../domain/customers.js';
import { renderOrders } from '../domain/orders.js';
import type { LoadPlan } from '../domain/plan.js';
import { renderProducts } from '../domain/products.js';

export interface Part {
  table: Table;
  columns: readonly string[];
}

interface Entity<P extends string> {
  /** Relative work per entity, so progress moves evenly (an order carries ~3 more rows). */
  weight: number;
  /** Id blocks reserved up front, one id per entity: the plan's `firstId` key, and its table. */
  reserves: readonly (readonly [keyof LoadPlan['firstId'], Table])[];
  /** Renders entities [from, to) as COPY text, one string per part. */
  render: (plan: LoadPlan, from: number, to: number) => Record<P, string>;
  /** Where each part goes, in the order it is COPYed (parents before children). */
  parts: Record<P, Part>;
}

const entity = <P extends string>(e: Entity<P>) => e;

/** In load order: an entity's rows reference only entities before it. */
export const entities = {
  customers: entity({
    weight: 2.3,
    // Default addresses get explicit ids (orders point at them); extra ones come after.
    reserves: [
      ['customer', 'customers'],
      ['address', 'addresses'],
    ],
    render: renderCustomers,
    parts: {
      customers: { table: 'customers', columns: columns.customers },
      defaultAddresses: { table: 'addresses', columns: columns.addressesWithId },
      extraAddresses: { table: 'addresses', columns: columns.addresses },
    },
  }),
  products: entity({
    weight: 2,
    reserves: [['product', 'products']],
    render: renderProducts,
    parts: {
      products: { table: 'products', columns: columns.products },
      inventory: { table: 'inventory', columns: columns.inventory },
    },
  }),
  orders: entity({
    weight: 5,
    reserves: [['order', 'orders']],
    render: renderOrders,
    parts: {
      orders: { table: 'orders', columns: columns.orders },
      items: { table: 'order_items', columns: columns.orderItems },
      payments: { table: 'payments', columns: columns.payments },
      shipments: { table: 'shipments', columns: columns.shipments },
    },
  }),
};

export type EntityName = keyof typeof entities;
export const entityNames = Object.keys(entities) as EntityName[];

/** How many of each entity a load writes. */
export type Counts = Record<EntityName, number>;

/** Entities per COPY round: bounds memory (one chunk of rendered text) whatever the load size. */
export const CHUNK = 5_000;

/**
 * Each entity's first chunk, after which its chunks double up to CHUNK. A COPY waits for its
 * chunk to be rendered when the chunks before it were COPYed sooner than it was rendered: at the
 * load's start (5,000 customers took 110-140 ms to render, 2 % of a 10x load, with PostgreSQL
 * idle), and where a large chunk follows small ones (a 10x load's first 5,000 orders after its
 * 3,000 products: 90-150 ms). 625 render in about a tenth of that, and each next chunk, twice the
 * one before, faster than the ones before it are COPYed.
 */
export const FIRST_CHUNK = CHUNK / 8;

/** One chunk of one entity: the unit that is rendered (maybe in a worker) and then COPYed. */
export interface Chunk {
  entity: EntityName;
  from: number;
  to: number;
}

/** The chunks of a load, in load order. */
export function chunksOf(counts: Counts): Chunk[] {
  const out: Chunk[] = [];
  for (const entity of entityNames) {
    for (let from = 0, size = FIRST_CHUNK; from < counts[entity]; size = Math.min(CHUNK, size * 2)) {
      const to = Math.min(counts[entity], from + size);
      out.push({ entity, from, to });
      from = to;
    }
  }
  return out;
}

/** A chunk's rendered COPY text, by part. */
export type Rendered = Record<string, string>;

export function renderChunk(plan: LoadPlan, chunk: Chunk): Rendered {
  return entities[chunk.entity].render(plan, chunk.from, chunk.to);
}

/** A whole load rendered on this thread, chunk by chunk, as (part, COPY text) in load order. */
export function* renderedParts(plan: LoadPlan): Generator<[Part, string]> {
  for (const chunk of chunksOf(plan)) yield* partsOf(chunk.entity, renderChunk(plan, chunk));
}

/** The parts of an entity with their rendered text, in COPY order. */
export function partsOf(entity: EntityName, rendered: Rendered): [Part, string][] {
  return Object.entries(entities[entity].parts as Record<string, Part>).map(([name, part]) => [
    part,
    rendered[name] ?? '',
  ]);
}

export function countLines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
