/**
 * The SQL of every delta action. Each action is one short transaction (most are one statement)
 * and reports the rows it changed, per table and operation, cascades included, so the generator
 * can pace row changes and report them.
 *
 * Random rows are picked as "the first row at or after a random id" through an index, with
 * FOR UPDATE SKIP LOCKED so concurrent lanes never wait on each other's picks.
 */
import { leaves } from '../domain/catalog.js';
import { addressFields } from '../domain/customers.js';
import { carriers, paymentMethods } from '../domain/lifecycle.js';
import { pools } from '../domain/pools.js';
import type { Rng } from '../domain/random.js';
import { ensureCatalog } from './catalog-repository.js';
import { inTransaction, type Pool } from './pool.js';
import type { Table } from './tables.js';

export type Op = 'insert' | 'update' | 'delete';
export interface Change {
  table: Table;
  op: Op;
  rows: number;
}

/** Id ranges used to aim random picks; refreshed by the generator now and then. */
export interface Bounds {
  customers: [number, number];
  addresses: [number, number];
  products: [number, number];
  orders: [number, number];
}

export async function readBounds(pool: Pool): Promise<Bounds> {
  const { rows } = await pool.query<Record<string, string | null>>(
    `SELECT (SELECT min(id) FROM customers) c0, (SELECT max(id) FROM customers) c1,
            (SELECT min(id) FROM addresses) a0, (SELECT max(id) FROM addresses) a1,
            (SELECT min(id) FROM products) p0, (SELECT max(id) FROM products) p1,
            (SELECT min(id) FROM orders) o0, (SELECT max(id) FROM orders) o1`,
  );
  const r = rows[0]!;
  const range = (a: string | null | undefined, b: string | null | undefined): [number, number] => [
    Number(a ?? 0),
    Number(b ?? 0),
  ];
  return {
    customers: range(r.c0, r.c1),
    addresses: range(r.a0, r.a1),
    products: range(r.p0, r.p1),
    orders: range(r.o0, r.o1),
  };
}

const point = (rng: Rng, [min, max]: [number, number]) => min + Math.floor(rng.next() * (max - min + 1));

/**
 * A scalar SQL expression: the id of the first row matching `where` at or after $1, wrapping
 * around to the first row when there is none after; null when no row matches.
 */
const pickFrom = (table: string, where: string, lock = 'FOR UPDATE SKIP LOCKED') => `COALESCE(
    (SELECT id FROM ${table} WHERE ${where} AND id >= $1 ORDER BY id LIMIT 1 ${lock}),
    (SELECT id FROM ${table} WHERE ${where} ORDER BY id LIMIT 1 ${lock}))`;

function cents(price: string): number {
  const [whole, frac = ''] = price.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0').slice(0, 2));
}
const money = (c: number) => (c / 100).toFixed(2);

export class Changes {
  private leafIds: number[] | undefined;

  constructor(private readonly pool: Pool) {}

  private async categories(): Promise<number[]> {
    this.leafIds ??= await ensureCatalog(this.pool);
    return this.leafIds;
  }

  /** A new customer signs up, with a default address. */
  async addCustomer(rng: Rng): Promise<Change[]> {
    const first = rng.pick(pools.firstNames);
    const last = rng.pick(pools.lastNames);
    const local = `${first}.${last}`.toLowerCase().replace(/[^a-z0-9.]/g, '');
    const [line1, line2, city, region, postal] = addressFields(rng).split('\t');
    await this.pool.query(
      `WITH n AS (SELECT nextval(pg_get_serial_sequence('customers', 'id')) AS id),
       c AS (
         INSERT INTO customers (id, email, first_name, last_name, phone) OVERRIDING SYSTEM VALUE
         SELECT n.id, $1 || n.id || '@' || $2, $3, $4, $5 FROM n RETURNING id)
       INSERT INTO addresses (customer_id, line1, line2, city, region, postal_code, country_code, is_default)
       SELECT c.id, $6, $7, $8, $9, $10, 'US', true FROM c`,
      [
        local,
        rng.pick(pools.emailDomains),
        first,
        last,
        rng.chance(0.8) ? rng.digits('+1-###-###-####') : null,
        line1,
        line2 === '\\N' ? null : line2,
        city,
        region,
        postal,
      ],
    );
    return [
      { table: 'customers', op: 'insert', rows: 1 },
      { table: 'addresses', op: 'insert', rows: 1 },
    ];
  }

  /** A new product is listed, with its stock. */
  async addProduct(rng: Rng): Promise<Change[]> {
    const leafIds = await this.categories();
    const leafIndex = Math.floor(rng.next() * leaves.length);
    const leaf = leaves[leafIndex]!;
    const adjective = rng.pick(pools.adjectives);
    const material = rng.pick(pools.materials);
    const noun = rng.pick(leaf.nouns);
    const [min, max] = leaf.price;
    const price = Math.floor(min * Math.pow(max / min, rng.next())) + 0.99;
    await this.pool.query(
      `WITH n AS (SELECT nextval(pg_get_serial_sequence('products', 'id')) AS id),
       p AS (
         INSERT INTO products (id, category_id, sku, name, description, price) OVERRIDING SYSTEM VALUE
         SELECT n.id, $1, 'SKU-' || lpad(n.id::text, 8, '0'), $2, $3, $4 FROM n RETURNING id)
       INSERT INTO inventory (product_id, quantity) SELECT p.id, $5 FROM p`,
      [
        leafIds[leafIndex],
        `${adjective} ${material} ${noun}`,
        `${adjective} ${noun.toLowerCase()} in ${material.toLowerCase()}, from our ${leaf.name.toLowerCase()} range.`,
        price.toFixed(2),
        rng.int(20, 300),
      ],
    );
    return [
      { table: 'products', op: 'insert', rows: 1 },
      { table: 'inventory', op: 'insert', rows: 1 },
    ];
  }

  /**
   * A customer places an order: items from active products in stock, whose stock goes down.
   * Creates a customer or a product instead when the shop has none.
   */
  async placeOrder(rng: Rng, bounds: Bounds): Promise<Change[]> {
    const placed = await this.tryPlaceOrder(rng, bounds);
    // Outside the order's transaction: its connection is back in the pool by now.
    if (placed === 'no_customer') return this.addCustomer(rng);
    if (placed === 'no_product') return this.addProduct(rng);
    return placed;
  }

  private async tryPlaceOrder(rng: Rng, bounds: Bounds): Promise<Change[] | 'no_customer' | 'no_product'> {
    return inTransaction(this.pool, async (client) => {
      const customer = await client.query<{ id: string; address_id: string | null }>(
        `SELECT c.id, (SELECT a.id FROM addresses a WHERE a.customer_id = c.id ORDER BY NOT a.is_default, a.id LIMIT 1) AS address_id
           FROM customers c WHERE c.id = ${pickFrom('customers', 'true', '')}`,
        [point(rng, bounds.customers)],
      );
      const want = rng.weighted([
        [1, 45],
        [2, 30],
        [3, 15],
        [4, 10],
      ] as const);
      // Sorted by id so that concurrent orders lock inventory rows in one order (no deadlocks).
      const products = await client.query<{ id: string; price: string }>(
        `SELECT p.id, p.price FROM products p JOIN inventory i ON i.product_id = p.id
          WHERE p.active AND i.quantity > 0 AND p.id >= $1 ORDER BY p.id LIMIT $2`,
        [point(rng, bounds.products), want],
      );
      if (customer.rows.length === 0 || products.rows.length === 0) {
        return customer.rows.length === 0 ? 'no_customer' : 'no_product';
      }
      const quantities = products.rows.map(() =>
        rng.weighted([
          [1, 75],
          [2, 18],
          [3, 7],
        ] as const),
      );
      const stocked = await client.query<{ product_id: string }>(
        `UPDATE inventory i SET quantity = i.quantity - w.qty
           FROM unnest($1::bigint[], $2::int[]) AS w(product_id, qty)
          WHERE i.product_id = w.product_id AND i.quantity >= w.qty
          RETURNING i.product_id`,
        [products.rows.map((p) => p.id), quantities],
      );
      const inStock = new Set(stocked.rows.map((r) => r.product_id));
      const lines = products.rows.map((p, i) => ({ ...p, qty: quantities[i]! })).filter((p) => inStock.has(p.id));
      // Nothing in stock (no inventory row changed either): an empty transaction.
      if (lines.length === 0) return [];
      const total = lines.reduce((sum, l) => sum + cents(l.price) * l.qty, 0);
      const c = customer.rows[0]!;
      await client.query(
        `WITH o AS (
           INSERT INTO orders (customer_id, shipping_address_id, total) VALUES ($1, $2, $3) RETURNING id)
         INSERT INTO order_items (order_id, product_id, quantity, unit_price)
         SELECT o.id, l.product_id, l.qty, l.price FROM o, unnest($4::bigint[], $5::int[], $6::numeric[]) AS l(product_id, qty, price)`,
        [c.id, c.address_id, money(total), lines.map((l) => l.id), lines.map((l) => l.qty), lines.map((l) => l.price)],
      );
      return [
        { table: 'orders', op: 'insert', rows: 1 },
        { table: 'order_items', op: 'insert', rows: lines.length },
        { table: 'inventory', op: 'update', rows: lines.length },
      ];
    });
  }

  /** placed -> paid: the payment is captured for the order total. */
  async payOrder(rng: Rng, bounds: Bounds): Promise<Change[]> {
    const { rowCount } = await this.pool.query(
      `WITH o AS (
         UPDATE orders SET status = 'paid' WHERE id = ${pickFrom('orders', "status = 'placed'")}
         RETURNING id, total)
       INSERT INTO payments (order_id, method, status, amount, paid_at)
       SELECT o.id, $2, 'captured', o.total, now() FROM o`,
      [point(rng, bounds.orders), rng.weighted(paymentMethods)],
    );
    return rowCount
      ? [
          { table: 'orders', op: 'update', rows: 1 },
          { table: 'payments', op: 'insert', rows: 1 },
        ]
      : [];
  }

  /** paid -> shipped: a shipment is created. */
  async shipOrder(rng: Rng, bounds: Bounds): Promise<Change[]> {
    const carrier = rng.weighted(carriers);
    const { rowCount } = await this.pool.query(
      `WITH o AS (
         UPDATE orders SET status = 'shipped' WHERE id = ${pickFrom('orders', "status = 'paid'")}
         RETURNING id)
       INSERT INTO shipments (order_id, carrier, tracking_number, shipped_at)
       SELECT o.id, $2, $3, now() FROM o`,
      [
        point(rng, bounds.orders),
        carrier,
        carrier === 'ups' ? `1Z${rng.digits('################')}` : rng.digits('############'),
      ],
    );
    return rowCount
      ? [
          { table: 'orders', op: 'update', rows: 1 },
          { table: 'shipments', op: 'insert', rows: 1 },
        ]
      : [];
  }

  /** shipped -> delivered: the shipment arrives. */
  async deliverOrder(rng: Rng, bounds: Bounds): Promise<Change[]> {
    const { rowCount } = await this.pool.query(
      `WITH o AS (
         UPDATE orders SET status = 'delivered' WHERE id = ${pickFrom('orders', "status = 'shipped'")}
         RETURNING id)
       UPDATE shipments s SET status = 'delivered', delivered_at = now() FROM o WHERE s.order_id = o.id`,
      [point(rng, bounds.orders)],
    );
    return rowCount
      ? [
          { table: 'orders', op: 'update', rows: 1 },
          { table: 'shipments', op: 'update', rows: 1 },
        ]
      : [];
  }

  /** placed|paid -> cancelled: a captured payment is refunded and the stock goes back. */
  async cancelOrder(rng: Rng, bounds: Bounds): Promise<Change[]> {
    const from = rng.chance(0.7) ? 'placed' : 'paid';
    const { rows } = await this.pool.query<{ orders: string; payments: string; inventory: string }>(
      `WITH o AS (
         UPDATE orders SET status = 'cancelled' WHERE id = ${pickFrom('orders', `status = '${from}'`)}
         RETURNING id),
       p AS (UPDATE payments SET status = 'refunded' FROM o WHERE payments.order_id = o.id RETURNING payments.id),
       i AS (
         UPDATE inventory SET quantity = inventory.quantity + it.quantity
           FROM order_items it JOIN o ON it.order_id = o.id
          WHERE inventory.product_id = it.product_id
         RETURNING inventory.product_id)
       SELECT (SELECT count(*) FROM o) AS orders, (SELECT count(*) FROM p) AS payments, (SELECT count(*) FROM i) AS inventory`,
      [point(rng, bounds.orders)],
    );
    const r = rows[0]!;
    if (Number(r.orders) === 0) return [];
    return [
      { table: 'orders', op: 'update', rows: 1 },
      { table: 'payments', op: 'update', rows: Number(r.payments) },
      { table: 'inventory', op: 'update', rows: Number(r.inventory) },
    ];
  }

  /** A price moves by up to ±15 %. */
  async changePrice(rng: Rng, bounds: Bounds): Promise<Change[]> {
    const { rowCount } = await this.pool.query(
      `UPDATE products SET price = greatest(0.99, round(price * $2, 2)) WHERE id = ${pickFrom('products', 'true')}`,
      [point(rng, bounds.products), (0.85 + rng.next() * 0.3).toFixed(4)],
    );
    return rowCount ? [{ table: 'products', op: 'update', rows: 1 }] : [];
  }

  /** A delivery arrives at the warehouse. */
  async restock(rng: Rng, bounds: Bounds): Promise<Change[]> {
    const { rowCount } = await this.pool.query(
      `UPDATE inventory SET quantity = quantity + $2
        WHERE product_id = (SELECT product_id FROM inventory WHERE product_id >= $1 ORDER BY product_id LIMIT 1
                            FOR UPDATE SKIP LOCKED)`,
      [point(rng, bounds.products), rng.int(10, 200)],
    );
    return rowCount ? [{ table: 'inventory', op: 'update', rows: 1 }] : [];
  }

  /** A customer moves: their address changes in place. */
  async moveCustomer(rng: Rng, bounds: Bounds): Promise<Change[]> {
    const [line1, line2, city, region, postal] = addressFields(rng).split('\t');
    const { rowCount } = await this.pool.query(
      `UPDATE addresses SET line1 = $2, line2 = $3, city = $4, region = $5, postal_code = $6
        WHERE id = ${pickFrom('addresses', 'true')}`,
      [point(rng, bounds.addresses), line1, line2 === '\\N' ? null : line2, city, region, postal],
    );
    return rowCount ? [{ table: 'addresses', op: 'update', rows: 1 }] : [];
  }

  /**
   * A customer asks to be forgotten: the schema cascades to their addresses, orders and the
   * orders' items, payments and shipments. Counted before the delete, in the same statement.
   */
  async deleteCustomer(rng: Rng, bounds: Bounds): Promise<Change[]> {
    const { rows } = await this.pool.query<Record<string, string>>(
      `WITH c AS (SELECT ${pickFrom('customers', 'true')} AS id),
       o AS (SELECT o.id FROM orders o JOIN c ON o.customer_id = c.id),
       counts AS (
         SELECT (SELECT count(*) FROM addresses a JOIN c ON a.customer_id = c.id) AS addresses,
                (SELECT count(*) FROM o) AS orders,
                (SELECT count(*) FROM order_items it JOIN o ON it.order_id = o.id) AS order_items,
                (SELECT count(*) FROM payments p JOIN o ON p.order_id = o.id) AS payments,
                (SELECT count(*) FROM shipments s JOIN o ON s.order_id = o.id) AS shipments),
       d AS (DELETE FROM customers USING c WHERE customers.id = c.id RETURNING customers.id)
       SELECT (SELECT count(*) FROM d) AS customers, counts.* FROM counts`,
      [point(rng, bounds.customers)],
    );
    const r = rows[0]!;
    if (Number(r.customers) === 0) return [];
    return (['customers', 'addresses', 'orders', 'order_items', 'payments', 'shipments'] as const)
      .map((table) => ({ table, op: 'delete' as const, rows: Number(r[table]) }))
      .filter((c) => c.rows > 0);
  }

  /** A customer removes a secondary address; orders shipped there keep a null address. */
  async deleteAddress(rng: Rng, bounds: Bounds): Promise<Change[]> {
    const { rows } = await this.pool.query<{ addresses: string; orders: string }>(
      `WITH a AS (SELECT ${pickFrom('addresses', 'NOT is_default')} AS id),
       n AS (SELECT count(*) AS orders FROM orders o JOIN a ON o.shipping_address_id = a.id),
       d AS (DELETE FROM addresses USING a WHERE addresses.id = a.id RETURNING addresses.id)
       SELECT (SELECT count(*) FROM d) AS addresses, n.orders FROM n`,
      [point(rng, bounds.addresses)],
    );
    const r = rows[0]!;
    if (Number(r.addresses) === 0) return [];
    const changes: Change[] = [{ table: 'addresses', op: 'delete', rows: 1 }];
    if (Number(r.orders) > 0) changes.push({ table: 'orders', op: 'update', rows: Number(r.orders) });
    return changes;
  }
}
