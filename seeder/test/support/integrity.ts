/** Consistency rules of the storefront, as queries counting the rows that break them. */
import type pg from 'pg';

/** Hold at every moment, whatever the seeder did. */
export const alwaysChecks = {
  'order total = sum of its items': `SELECT count(*) FROM orders o WHERE o.total <> (SELECT coalesce(sum(quantity * unit_price), 0) FROM order_items i WHERE i.order_id = o.id)`,
  'payment amount = order total': `SELECT count(*) FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.amount <> o.total`,
  'captured payment iff paid, shipped or delivered': `SELECT count(*) FROM orders o LEFT JOIN payments p ON p.order_id = o.id WHERE (o.status IN ('paid', 'shipped', 'delivered')) <> (p.status IS NOT DISTINCT FROM 'captured')`,
  'shipment iff shipped or delivered': `SELECT count(*) FROM orders o LEFT JOIN shipments s ON s.order_id = o.id WHERE (o.status IN ('shipped', 'delivered')) <> (s.id IS NOT NULL)`,
  'shipment delivered iff order delivered': `SELECT count(*) FROM shipments s JOIN orders o ON o.id = s.order_id WHERE (s.status = 'delivered') <> (o.status = 'delivered')`,
  'stock never negative': `SELECT count(*) FROM inventory WHERE quantity < 0`,
  'shipping address belongs to the customer': `SELECT count(*) FROM orders o JOIN addresses a ON a.id = o.shipping_address_id WHERE a.customer_id <> o.customer_id`,
};

/** Hold right after a full load (deltas move prices and add customers without orders). */
export const fullLoadChecks = {
  ...alwaysChecks,
  'every order has items': `SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id)`,
  'items at the product price': `SELECT count(*) FROM order_items i JOIN products p ON p.id = i.product_id WHERE i.unit_price <> p.price`,
  'one default address per customer': `SELECT count(*) FROM customers c WHERE (SELECT count(*) FROM addresses a WHERE a.customer_id = c.id AND a.is_default) <> 1`,
  'orders placed after the customer signed up': `SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.placed_at < c.created_at`,
};

/** The rules that are broken, with how many rows break each: {} when all hold. */
export async function violations(db: pg.Client, checks: Record<string, string>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [rule, sql] of Object.entries(checks)) {
    const n = Number((await db.query<{ count: string }>(sql)).rows[0]!.count);
    if (n > 0) out[rule] = n;
  }
  return out;
}
