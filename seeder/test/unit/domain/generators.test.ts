import { faker } from '@faker-js/faker';
import { describe, expect, it, vi } from 'vitest';
import { leaves } from '../../../src/domain/catalog.js';
import { customerCreatedAt, renderCustomers } from '../../../src/domain/customers.js';
import { isLegalTransition } from '../../../src/domain/lifecycle.js';
import { orderBundle, renderOrders } from '../../../src/domain/orders.js';
import { productPriceCents, renderProducts } from '../../../src/domain/products.js';
import { testPlan } from '../../support/plan.js';

const plan = testPlan;

const rows = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t'));

describe('determinism', () => {
  it('renders the same rows for the same seed, whatever global randomness and clock do in between', () => {
    const render = () => [
      renderCustomers(plan(7), 0, 500),
      renderProducts(plan(7), 0, 80),
      renderOrders(plan(7), 0, 2_000),
    ];
    const first = render();
    // A generator that read Math.random, faker's shared generator or the clock would differ now.
    for (let i = 0; i < 1_000; i++) Math.random();
    faker.seed(12345);
    faker.number.int();
    vi.useFakeTimers({ now: Date.parse('2031-01-01T00:00:00Z') });
    try {
      expect(render()).toEqual(first);
    } finally {
      vi.useRealTimers();
    }
  });

  it('renders different rows for another seed', () => {
    expect(renderCustomers(plan(8), 0, 50).customers).not.toEqual(renderCustomers(plan(7), 0, 50).customers);
    expect(renderOrders(plan(8), 0, 50).orders).not.toEqual(renderOrders(plan(7), 0, 50).orders);
  });

  it('does not depend on how the work is chunked', () => {
    const whole = renderOrders(plan(3), 0, 1_000);
    const a = renderOrders(plan(3), 0, 337);
    const b = renderOrders(plan(3), 337, 1_000);
    expect(a.orders + b.orders).toBe(whole.orders);
    expect(a.items + b.items).toBe(whole.items);
    expect(a.payments + b.payments).toBe(whole.payments);
  });
});

describe('customers', () => {
  const r = renderCustomers(plan(1, { firstId: { customer: 1000, address: 5000, product: 1, order: 1 } }), 0, 500);

  it('gives every customer a unique email and one default address with its reserved id', () => {
    const customers = rows(r.customers);
    expect(customers).toHaveLength(500);
    expect(new Set(customers.map((c) => c[1])).size).toBe(500);
    expect(customers.every((c) => /^[a-z0-9.]+@example\.(com|net|org)$/.test(c[1]!))).toBe(true);
    const defaults = rows(r.defaultAddresses);
    expect(defaults.map((a) => [Number(a[0]), Number(a[1])])).toEqual(
      customers.map((c, i) => [5000 + i, Number(c[0])]),
    );
    expect(defaults.every((a) => a[8] === 't')).toBe(true);
  });

  it('has extra addresses only for customers of this load', () => {
    const ids = new Set(rows(r.customers).map((c) => c[0]));
    const extra = rows(r.extraAddresses);
    expect(extra.length).toBeGreaterThan(50);
    expect(extra.every((a) => ids.has(a[0]!) && a[7] === 'f')).toBe(true);
  });
});

describe('orders', () => {
  const p = plan(11);
  const bundles = Array.from({ length: p.orders }, (_, i) => orderBundle(p, i));

  it('references only customers and products of the load, and customers who had signed up', () => {
    for (const b of bundles) {
      expect(b.customerIndex).toBeGreaterThanOrEqual(0);
      expect(b.customerIndex).toBeLessThan(p.customers);
      expect(customerCreatedAt(p, b.customerIndex)).toBeLessThan(b.placedAt);
      expect(b.placedAt).toBeLessThanOrEqual(p.until);
      expect(b.items.length).toBeGreaterThanOrEqual(1);
      expect(b.items.length).toBeLessThanOrEqual(5);
      expect(new Set(b.items.map((it) => it.productIndex)).size).toBe(b.items.length);
      for (const it of b.items) {
        expect(it.productIndex).toBeLessThan(p.products);
        expect(it.unitCents).toBe(productPriceCents(p, it.productIndex));
      }
    }
  });

  it('totals the items exactly', () => {
    for (const b of bundles) expect(b.totalCents).toBe(b.items.reduce((s, it) => s + it.quantity * it.unitCents, 0));
  });

  it('follows only legal status transitions, with payments and shipments to match', () => {
    for (const b of bundles) {
      expect(b.history[0]).toBe('placed');
      expect(b.history.at(-1)).toBe(b.status);
      for (let i = 1; i < b.history.length; i++) expect(isLegalTransition(b.history[i - 1]!, b.history[i]!)).toBe(true);
      const paid = b.history.includes('paid');
      expect(b.payment !== undefined).toBe(paid);
      if (b.payment) expect(b.payment.status).toBe(b.status === 'cancelled' ? 'refunded' : 'captured');
      expect(b.shipment !== undefined).toBe(b.status === 'shipped' || b.status === 'delivered');
      if (b.shipment) {
        expect(b.shipment.status === 'delivered').toBe(b.status === 'delivered');
        expect(b.shipment.shippedAt).toBeGreaterThanOrEqual(b.payment!.paidAt);
        if (b.shipment.deliveredAt !== undefined)
          expect(b.shipment.deliveredAt).toBeGreaterThanOrEqual(b.shipment.shippedAt);
      }
      expect(b.updatedAt).toBeLessThanOrEqual(p.until);
    }
  });

  it('has a realistic status mix: mostly delivered, a few cancelled, recent ones in flight', () => {
    const count = (s: string) => bundles.filter((b) => b.status === s).length / bundles.length;
    expect(count('delivered')).toBeGreaterThan(0.8);
    expect(count('cancelled')).toBeGreaterThan(0.02);
    expect(count('cancelled')).toBeLessThan(0.12);
  });

  it('renders payments with the order total and rows for every table', () => {
    const r = renderOrders(p, 0, 300);
    const orders = new Map(rows(r.orders).map((o) => [o[0], o]));
    for (const pay of rows(r.payments)) expect(pay[3]).toBe(orders.get(pay[0])![5]);
    for (const it of rows(r.items)) expect(orders.has(it[0])).toBe(true);
    for (const text of [r.orders, r.items, r.payments, r.shipments]) expect(rows(text).length).toBeGreaterThan(0);
  });
});

describe('products', () => {
  it('prices within the category range and sells every product with a stock row', () => {
    const p = plan(5);
    const r = renderProducts(p, 0, 80);
    const products = rows(r.products);
    expect(rows(r.inventory).map((i) => i[0])).toEqual(products.map((x) => x[0]));
    for (const row of products) {
      const leaf = leaves[p.leafCategoryIds.indexOf(Number(row[1]))]!;
      const price = Number(row[5]);
      expect(price).toBeGreaterThanOrEqual(leaf.price[0]);
      expect(price).toBeLessThanOrEqual(leaf.price[1] + 1);
      expect(leaf.nouns.some((n) => row[3]!.endsWith(n))).toBe(true);
    }
  });
});
