/**
 * The SQL of every delta action. Each action is one statement, so one round trip and one short
 * transaction, and reports the rows it changed, per table and operation, cascades included, so
 * the generator can pace row changes and report them.
 *
 * Random rows are picked as "the first row at or after a random id" through an index, with
 * FOR UPDATE SKIP LOCKED so concurrent lanes never wait on each other's picks. New values (people,
 * addresses, products, order lines, tracking numbers) are drawn by the domain, as the full load
 * draws them; this module only encodes them as SQL parameters.
 */
import { money } from '../domain/copy-text.js';
import { drawAddress, drawPerson } from '../domain/customers.js';
import { carriers, minimumAgeSeconds, paymentMethods } from '../domain/lifecycle.js';
import { drawItemCount, drawQuantity, trackingNumber } from '../domain/orders.js';
import { drawNewProduct } from '../domain/products.js';
import type { Rng } from '../domain/random.js';
import { ensureCatalog } from './catalog-repository.js';
import type { Pool } from './pool.js';
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

/** Orders in `status` for at least its minimum age: the ones ready for their next step. */
const ready = (status: keyof typeof minimumAgeSeconds) =>
  `status = '${status}' AND updated_at <= now() - interval '${minimumAgeSeconds[status]} seconds'`;

export class Changes {
  private leafIds: number[] | undefined;

  constructor(private readonly pool: Pool) {}

  /**
   * Every action's SQL as a named prepared statement: each connection parses it once, and plans
   * it once too, as the pool asks for generic plans (pool.ts says why). `name` must stand for
   * one text only.
   */
  private query<R extends object = Record<string, unknown>>(name: string, text: string, values: unknown[]) {
    return this.pool.query<R>({ name: `deltas.${name}`, text, values });
  }

  private async categories(): Promise<number[]> {
    this.leafIds ??= await ensureCatalog(this.pool);
    return this.leafIds;
  }

  /** A new customer signs up, with a default address. */
  async addCustomer(rng: Rng): Promise<Change[]> {
    const p = drawPerson(rng);
    const a = drawAddress(rng);
    await this.query(
      'addCustomer',
      `WITH n AS (SELECT nextval(pg_get_serial_sequence('customers', 'id')) AS id),
       c AS (
         INSERT INTO customers (id, email, first_name, last_name, phone) OVERRIDING SYSTEM VALUE
         SELECT n.id, format($1, n.id), $2, $3, $4 FROM n RETURNING id)
       INSERT INTO addresses (customer_id, line1, line2, city, region, postal_code, country_code, is_default)
       SELECT c.id, $5, $6, $7, $8, $9, $10, true FROM c`,
      [
        p.emailPattern,
        p.firstName,
        p.lastName,
        p.phone,
        a.line1,
        a.line2,
        a.city,
        a.region,
        a.postalCode,
        a.countryCode,
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
    const p = drawNewProduct(rng);
    await this.query(
      'addProduct',
      `WITH n AS (SELECT nextval(pg_get_serial_sequence('products', 'id')) AS id),
       -- The SKU as skuOf() in domain/products.ts builds it (changes.test.ts checks they agree).
       p AS (
         INSERT INTO products (id, category_id, sku, name, description, price) OVERRIDING SYSTEM VALUE
         SELECT n.id, $1, 'SKU-' || lpad(n.id::text, 8, '0'), $2, $3, $4 FROM n RETURNING id)
       INSERT INTO inventory (product_id, quantity) SELECT p.id, $5 FROM p`,
      [leafIds[p.leafIndex], p.name, p.description, money(p.priceCents), p.stock],
    );
    return [
      { table: 'products', op: 'insert', rows: 1 },
      { table: 'inventory', op: 'insert', rows: 1 },
    ];
  }

  /**
   * A customer places an order: items from active products in stock, whose stock goes down.
   * Creates a customer or a product instead when the shop has none.
   *
   * One statement, so one round trip and an implicit transaction: pick the customer and up to
   * `quantities.length` products in stock (their inventory rows locked with SKIP LOCKED, so
   * concurrent orders neither wait on nor deadlock with each other), take the stock of the lines
   * that have enough, and insert the order and its items, the total summed in numeric. Nothing is
   * written when there is no customer or no line in stock.
   */
  async placeOrder(rng: Rng, bounds: Bounds): Promise<Change[]> {
    const want = drawItemCount(rng);
    const quantities = Array.from({ length: want }, () => drawQuantity(rng));
    const { rows } = await this.query<{ customers: string; products: string; items: string }>(
      'placeOrder',
      `WITH c AS (
         SELECT c.id,
                (SELECT a.id FROM addresses a WHERE a.customer_id = c.id ORDER BY NOT a.is_default, a.id LIMIT 1)
                  AS address_id
           FROM customers c WHERE c.id = ${pickFrom('customers', 'true', '')}),
       -- Products in stock from $2 up, wrapping around to the lowest ids. p2 is read only when p1
       -- has fewer than $3 rows (a WITH query runs only as far as its reader fetches), so it locks
       -- nothing otherwise.
       p1 AS (
         SELECT p.id, p.price FROM products p JOIN inventory i ON i.product_id = p.id
          -- The bound on both sides of the join, so both index scans start at $2.
          WHERE p.active AND i.quantity > 0 AND p.id >= $2 AND i.product_id >= $2 AND EXISTS (SELECT FROM c)
          ORDER BY p.id LIMIT $3 FOR UPDATE OF i SKIP LOCKED),
       p2 AS (
         SELECT p.id, p.price FROM products p JOIN inventory i ON i.product_id = p.id
          WHERE p.active AND i.quantity > 0 AND p.id < $2 AND i.product_id < $2 AND EXISTS (SELECT FROM c)
          ORDER BY p.id LIMIT $3 FOR UPDATE OF i SKIP LOCKED),
       p AS (SELECT * FROM p1 UNION ALL SELECT * FROM p2 LIMIT $3),
       w AS (
         SELECT p.id, p.price, q.qty
           FROM (SELECT p.*, row_number() OVER (ORDER BY p.id) AS n FROM p) p
           JOIN unnest($4::int[]) WITH ORDINALITY AS q(qty, n) USING (n)),
       s AS (
         UPDATE inventory i SET quantity = i.quantity - w.qty FROM w
          WHERE i.product_id = w.id AND i.quantity >= w.qty
         RETURNING i.product_id, w.qty, w.price),
       o AS (
         INSERT INTO orders (customer_id, shipping_address_id, total)
         SELECT c.id, c.address_id, (SELECT sum(s.qty * s.price) FROM s) FROM c WHERE EXISTS (SELECT FROM s)
         RETURNING id),
       it AS (
         INSERT INTO order_items (order_id, product_id, quantity, unit_price)
         SELECT o.id, s.product_id, s.qty, s.price FROM o, s
         RETURNING 1)
       SELECT (SELECT count(*) FROM c) AS customers, (SELECT count(*) FROM p) AS products,
              (SELECT count(*) FROM it) AS items`,
      [point(rng, bounds.customers), point(rng, bounds.products), want, quantities],
    );
    const r = rows[0]!;
    if (Number(r.customers) === 0) return this.addCustomer(rng);
    if (Number(r.products) === 0) return this.addProduct(rng);
    const items = Number(r.items);
    // Nothing had enough stock: nothing was written.
    if (items === 0) return [];
    return [
      { table: 'orders', op: 'insert', rows: 1 },
      { table: 'order_items', op: 'insert', rows: items },
      { table: 'inventory', op: 'update', rows: items },
    ];
  }

  /** placed -> paid: the payment is captured for the order total. */
  async payOrder(rng: Rng, bounds: Bounds): Promise<Change[]> {
    const { rowCount } = await this.query(
      'payOrder',
      `WITH o AS (
         UPDATE orders SET status = 'paid' WHERE id = ${pickFrom('orders', ready('placed'))}
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
    const { rowCount } = await this.query(
      'shipOrder',
      `WITH o AS (
         UPDATE orders SET status = 'shipped' WHERE id = ${pickFrom('orders', ready('paid'))}
         RETURNING id)
       INSERT INTO shipments (order_id, carrier, tracking_number, shipped_at)
       SELECT o.id, $2, $3, now() FROM o`,
      [point(rng, bounds.orders), carrier, trackingNumber(rng, carrier)],
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
    const { rowCount } = await this.query(
      'deliverOrder',
      `WITH o AS (
         UPDATE orders SET status = 'delivered' WHERE id = ${pickFrom('orders', ready('shipped'))}
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
    const { rows } = await this.query<{ orders: string; payments: string; inventory: string }>(
      `cancelOrder.${from}`,
      `WITH o AS (
         UPDATE orders SET status = 'cancelled' WHERE id = ${pickFrom('orders', ready(from))}
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
    const { rowCount } = await this.query(
      'changePrice',
      `UPDATE products SET price = greatest(0.99, round(price * $2, 2)) WHERE id = ${pickFrom('products', 'true')}`,
      [point(rng, bounds.products), (0.85 + rng.next() * 0.3).toFixed(4)],
    );
    return rowCount ? [{ table: 'products', op: 'update', rows: 1 }] : [];
  }

  /** A delivery arrives at the warehouse. */
  async restock(rng: Rng, bounds: Bounds): Promise<Change[]> {
    const { rowCount } = await this.query(
      'restock',
      `UPDATE inventory SET quantity = quantity + $2
        WHERE product_id = (SELECT product_id FROM inventory WHERE product_id >= $1 ORDER BY product_id LIMIT 1
                            FOR UPDATE SKIP LOCKED)`,
      [point(rng, bounds.products), rng.int(10, 200)],
    );
    return rowCount ? [{ table: 'inventory', op: 'update', rows: 1 }] : [];
  }

  /** A customer moves: their address changes in place. */
  async moveCustomer(rng: Rng, bounds: Bounds): Promise<Change[]> {
    const a = drawAddress(rng);
    const { rowCount } = await this.query(
      'moveCustomer',
      `UPDATE addresses SET line1 = $2, line2 = $3, city = $4, region = $5, postal_code = $6, country_code = $7
        WHERE id = ${pickFrom('addresses', 'true')}`,
      [point(rng, bounds.addresses), a.line1, a.line2, a.city, a.region, a.postalCode, a.countryCode],
    );
    return rowCount ? [{ table: 'addresses', op: 'update', rows: 1 }] : [];
  }

  /**
   * A customer asks to be forgotten: the schema cascades to their addresses, orders and the
   * orders' items, payments and shipments. Counted before the delete, in the same statement,
   * per order through the foreign keys' indexes: correlated subqueries, because a join (or
   * EXISTS) with the CTE, whose size the planner cannot know, was planned as a hash join over all
   * of order_items, payments and shipments (14-24 ms per delete instead of under 1).
   */
  async deleteCustomer(rng: Rng, bounds: Bounds): Promise<Change[]> {
    const { rows } = await this.query<Record<string, string>>(
      'deleteCustomer',
      `WITH c AS (SELECT ${pickFrom('customers', 'true')} AS id),
       o AS (SELECT o.id FROM orders o JOIN c ON o.customer_id = c.id),
       counts AS (
         SELECT (SELECT count(*) FROM addresses a JOIN c ON a.customer_id = c.id) AS addresses,
                (SELECT count(*) FROM o) AS orders,
                (SELECT coalesce(sum((SELECT count(*) FROM order_items it WHERE it.order_id = o.id)), 0) FROM o)
                  AS order_items,
                (SELECT coalesce(sum((SELECT count(*) FROM payments p WHERE p.order_id = o.id)), 0) FROM o)
                  AS payments,
                (SELECT coalesce(sum((SELECT count(*) FROM shipments s WHERE s.order_id = o.id)), 0) FROM o)
                  AS shipments),
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
    const { rows } = await this.query<{ addresses: string; orders: string }>(
      'deleteAddress',
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
