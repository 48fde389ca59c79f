/** Delta actions' picks against the real database. */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type SeederApp } from '../../src/app.js';
import { Changes, readBounds } from '../../src/db/changes-repository.js';
import { actionSpecs } from '../../src/deltas/generator.js';
import { createPool, type Pool } from '../../src/db/pool.js';
import { leaves } from '../../src/domain/catalog.js';
import { money } from '../../src/domain/copy-text.js';
import { drawAddress, drawPerson, email } from '../../src/domain/customers.js';
import { minimumAgeSeconds } from '../../src/domain/lifecycle.js';
import { drawNewProduct, skuOf } from '../../src/domain/products.js';
import { Rng } from '../../src/domain/random.js';
import { freshDatabase } from '../support/database.js';

let app: SeederApp;
let pool: Pool;
let config: Awaited<ReturnType<typeof freshDatabase>>;

beforeAll(async () => {
  config = await freshDatabase('it_changes');
  app = await buildApp(config);
  pool = createPool(config.db, pino({ level: 'silent' }));
  const load = await app.inject({
    method: 'POST',
    url: '/full-load?wait=true',
    payload: { customers: 20, products: 10, orders: 10, seed: 4 },
  });
  expect(load.statusCode).toBe(200);
});
afterAll(async () => {
  await pool?.end();
  await app?.close();
});

const count = async (table: string) => Number((await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

describe('new rows', () => {
  it('are drawn by the domain, as the full load draws them, and stored as drawn', async () => {
    const changes = new Changes(pool);
    await changes.addCustomer(new Rng(21));
    const replay = new Rng(21); // the same draws, in the same order
    const person = drawPerson(replay);
    const address = drawAddress(replay);
    const { rows: customers } = await pool.query(
      `SELECT c.id::int, c.email, c.first_name, c.last_name, c.phone, a.line1, a.line2, a.city, a.region,
              a.postal_code, a.country_code, a.is_default
         FROM customers c JOIN addresses a ON a.customer_id = c.id ORDER BY c.id DESC LIMIT 1`,
    );
    const c = customers[0]!;
    expect(c).toEqual({
      id: c.id,
      email: email(person, c.id),
      first_name: person.firstName,
      last_name: person.lastName,
      phone: person.phone,
      line1: address.line1,
      line2: address.line2,
      city: address.city,
      region: address.region,
      postal_code: address.postalCode,
      country_code: address.countryCode,
      is_default: true,
    });

    await changes.addProduct(new Rng(22));
    const product = drawNewProduct(new Rng(22));
    const { rows: products } = await pool.query(
      `SELECT p.id::int, p.sku, p.name, p.description, p.price::text, c.slug, i.quantity
         FROM products p JOIN categories c ON c.id = p.category_id JOIN inventory i ON i.product_id = p.id
        ORDER BY p.id DESC LIMIT 1`,
    );
    const p = products[0]!;
    expect(p).toEqual({
      id: p.id,
      sku: skuOf(p.id),
      name: product.name,
      description: product.description,
      price: money(product.priceCents),
      slug: leaves[product.leafIndex]!.slug,
      quantity: product.stock,
    });
  });
});

describe('placeOrder', () => {
  it('wraps around to the lowest ids when no product in stock lies above the random point', async () => {
    // Only the product with the lowest id is active and in stock, and the point is above it.
    const { rows } = await pool.query<{ id: number }>('SELECT min(id)::int AS id FROM products');
    const lowest = rows[0]!.id;
    await pool.query('UPDATE products SET active = (id = $1)', [lowest]);
    await pool.query('UPDATE inventory SET quantity = CASE WHEN product_id = $1 THEN 1000 ELSE 0 END', [lowest]);
    const bounds = await readBounds(pool);
    const products = await count('products');
    const orders = await count('orders');

    const above = bounds.products[1] + 1;
    const changes = await new Changes(pool).placeOrder(new Rng(1), { ...bounds, products: [above, above] });

    expect(changes).toEqual(expect.arrayContaining([{ table: 'orders', op: 'insert', rows: 1 }]));
    expect(await count('orders')).toBe(orders + 1);
    expect(await count('products')).toBe(products); // not a new product instead
  });
});

describe('the order life cycle', () => {
  const statusOf = async (id: number) =>
    (await pool.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [id])).rows[0]!.status;

  it('moves an order on only after its minimum age in the status', async () => {
    await pool.query('UPDATE products SET active = true');
    await pool.query('UPDATE inventory SET quantity = 1000');
    const changes = new Changes(pool);
    const bounds = await readBounds(pool);
    expect(await changes.placeOrder(new Rng(2), bounds)).toEqual(
      expect.arrayContaining([{ table: 'orders', op: 'insert', rows: 1 }]),
    );
    const id = Number((await pool.query('SELECT max(id) AS id FROM orders')).rows[0].id);
    const at = { ...(await readBounds(pool)), orders: [id, id] as [number, number] };

    await changes.payOrder(new Rng(3), at);
    expect(await statusOf(id)).toBe('placed'); // placed a moment ago: too young to pay
    await new Promise((r) => setTimeout(r, minimumAgeSeconds.placed * 1000 + 200));
    await changes.payOrder(new Rng(3), at);
    expect(await statusOf(id)).toBe('paid');
    await changes.shipOrder(new Rng(4), at);
    expect(await statusOf(id)).toBe('paid'); // paid a moment ago: not shipped in the same second
  });
});

describe('planning', () => {
  it('plans every action once per connection (a generic plan), never per call', async () => {
    // One connection, so the statements below and pg_prepared_statements share a session.
    const one = createPool({ ...config.db, poolSize: 1 }, pino({ level: 'silent' }));
    try {
      await one.query('UPDATE products SET active = true');
      await one.query('UPDATE inventory SET quantity = 1000');
      const changes = new Changes(one);
      const bounds = await readBounds(one);
      // More calls than the server's 5 custom plans before it may switch to a generic one.
      for (let i = 0; i < 8; i++) {
        for (const action of Object.keys(actionSpecs) as (keyof typeof actionSpecs)[]) {
          await changes[action](new Rng(100 + i), bounds);
        }
      }
      const { rows } = await one.query<{ name: string; custom_plans: string }>(
        `SELECT name, custom_plans FROM pg_prepared_statements WHERE name LIKE 'deltas.%'`,
      );
      const names = new Set(rows.map((r) => r.name.replace(/^deltas\.([A-Za-z]+).*$/, '$1')));
      expect([...names].sort()).toEqual(Object.keys(actionSpecs).sort());
      for (const r of rows)
        expect({ name: r.name, custom_plans: Number(r.custom_plans) }).toEqual({ name: r.name, custom_plans: 0 });
    } finally {
      await one.end();
    }
  });
});
