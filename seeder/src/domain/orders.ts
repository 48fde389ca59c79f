import { customerCreatedAt, defaultAddressId } from './customers.js';
import { money, timestamp } from './copy-text.js';
import { carriers, paymentMethods, type OrderStatus } from './lifecycle.js';
import { DAY_MS, historyStart, type LoadPlan } from './plan.js';
import { productPriceCents } from './products.js';
import { Rng, Stream } from './random.js';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

export interface OrderItem {
  productIndex: number;
  quantity: number;
  unitCents: number;
}

/** One order with everything that hangs off it, as the full load writes it. */
export interface OrderBundle {
  index: number;
  customerIndex: number;
  status: OrderStatus;
  /** Every status the order went through, in order, starting with placed. */
  history: OrderStatus[];
  items: OrderItem[];
  totalCents: number;
  placedAt: number;
  updatedAt: number;
  payment?: { method: string; status: 'captured' | 'refunded'; paidAt: number; updatedAt: number };
  shipment?: {
    carrier: string;
    tracking: string;
    status: 'in_transit' | 'delivered';
    shippedAt: number;
    deliveredAt?: number;
  };
}

/** Older orders have moved further along their life cycle. */
function finalStatus(rng: Rng, ageDays: number): OrderStatus {
  if (ageDays < 1)
    return rng.weighted([
      ['placed', 45],
      ['paid', 45],
      ['cancelled', 10],
    ] as const);
  if (ageDays < 3)
    return rng.weighted([
      ['placed', 5],
      ['paid', 35],
      ['shipped', 52],
      ['cancelled', 8],
    ] as const);
  if (ageDays < 8)
    return rng.weighted([
      ['paid', 3],
      ['shipped', 47],
      ['delivered', 44],
      ['cancelled', 6],
    ] as const);
  return rng.weighted([
    ['delivered', 94],
    ['cancelled', 6],
  ] as const);
}

function trackingNumber(rng: Rng, carrier: string): string {
  switch (carrier) {
    case 'ups':
      return `1Z${rng.digits('################')}`;
    case 'usps':
      return rng.digits('9400############ ##########').replace(' ', '');
    default:
      return rng.digits('############');
  }
}

/** Products sell unevenly: a few bestsellers, a long tail. */
function pickProducts(rng: Rng, products: number, count: number): number[] {
  const picked: number[] = [];
  for (let tries = 0; picked.length < count && tries < count * 4; tries++) {
    const p = Math.floor(products * rng.next() ** 2);
    if (!picked.includes(p)) picked.push(p);
  }
  return picked;
}

export function orderBundle(plan: LoadPlan, index: number): OrderBundle {
  const rng = new Rng(plan.seed, Stream.orders, index);
  const start = historyStart(plan);
  const frac = (index + rng.next()) / plan.orders;
  let placedAt = Math.floor(start + frac * (plan.until - start));

  // A customer who had signed up by then: index < frac * customers makes created_at < placedAt.
  const signedUp = Math.max(1, Math.floor(frac * plan.customers));
  const customerIndex = Math.floor(rng.next() * signedUp);
  placedAt = Math.min(
    plan.until - MINUTE_MS,
    Math.max(placedAt, customerCreatedAt(plan, customerIndex) + 10 * MINUTE_MS),
  );

  const count = Math.min(
    plan.products,
    rng.weighted([
      [1, 40],
      [2, 30],
      [3, 15],
      [4, 10],
      [5, 5],
    ] as const),
  );
  const items = pickProducts(rng, plan.products, count).map((productIndex) => ({
    productIndex,
    quantity: rng.weighted([
      [1, 70],
      [2, 20],
      [3, 8],
      [4, 2],
    ] as const),
    unitCents: productPriceCents(plan, productIndex),
  }));
  const totalCents = items.reduce((sum, it) => sum + it.quantity * it.unitCents, 0);

  const status = finalStatus(rng, (plan.until - placedAt) / DAY_MS);
  // Draw the whole timeline, then squeeze it into the time left before `until` if needed.
  const paidAt = placedAt + rng.int(2, 120) * MINUTE_MS;
  const shippedAt = paidAt + rng.int(12, 48) * HOUR_MS;
  const deliveredAt = shippedAt + rng.int(24, 120) * HOUR_MS;
  const cancelledAfterPayment = status === 'cancelled' && rng.chance(0.4);
  const cancelledAt = (cancelledAfterPayment ? paidAt : placedAt) + rng.int(10, 24 * 60) * MINUTE_MS;
  const last = { placed: placedAt, paid: paidAt, shipped: shippedAt, delivered: deliveredAt, cancelled: cancelledAt }[
    status
  ];
  const room = Math.max(0, plan.until - placedAt - MINUTE_MS);
  const squeeze = last - placedAt > room ? room / (last - placedAt) : 1;
  const at = (t: number) => placedAt + Math.floor((t - placedAt) * squeeze);

  const history: OrderStatus[] = ['placed'];
  const paid = status === 'paid' || status === 'shipped' || status === 'delivered' || cancelledAfterPayment;
  if (paid) history.push('paid');
  if (status === 'shipped' || status === 'delivered') history.push('shipped');
  if (status === 'delivered') history.push('delivered');
  if (status === 'cancelled') history.push('cancelled');

  const bundle: OrderBundle = {
    index,
    customerIndex,
    status,
    history,
    items,
    totalCents,
    placedAt,
    updatedAt: at(last),
  };
  if (paid) {
    bundle.payment = {
      method: rng.weighted(paymentMethods),
      status: cancelledAfterPayment ? 'refunded' : 'captured',
      paidAt: at(paidAt),
      updatedAt: at(cancelledAfterPayment ? cancelledAt : paidAt),
    };
  }
  if (status === 'shipped' || status === 'delivered') {
    const carrier = rng.weighted(carriers);
    bundle.shipment = {
      carrier,
      tracking: trackingNumber(rng, carrier),
      status: status === 'delivered' ? 'delivered' : 'in_transit',
      shippedAt: at(shippedAt),
      ...(status === 'delivered' ? { deliveredAt: at(deliveredAt) } : {}),
    };
  }
  return bundle;
}

export interface OrderRows {
  /** COPY orders (id, customer_id, shipping_address_id, status, currency, total, placed_at, created_at, updated_at) */
  orders: string;
  /** COPY order_items (order_id, product_id, quantity, unit_price, created_at) */
  items: string;
  /** COPY payments (order_id, method, status, amount, paid_at, created_at, updated_at) */
  payments: string;
  /** COPY shipments (order_id, carrier, tracking_number, status, shipped_at, delivered_at, created_at, updated_at) */
  shipments: string;
  rows: number;
}

export function renderOrders(plan: LoadPlan, from: number, to: number): OrderRows {
  let orders = '';
  let items = '';
  let payments = '';
  let shipments = '';
  let rows = 0;
  for (let i = from; i < to; i++) {
    const b = orderBundle(plan, i);
    const id = plan.firstId.order + i;
    const placed = timestamp(b.placedAt);
    orders += `${id}\t${plan.firstId.customer + b.customerIndex}\t${defaultAddressId(plan, b.customerIndex)}\t${b.status}\tUSD\t${money(b.totalCents)}\t${placed}\t${placed}\t${timestamp(b.updatedAt)}\n`;
    for (const it of b.items) {
      items += `${id}\t${plan.firstId.product + it.productIndex}\t${it.quantity}\t${money(it.unitCents)}\t${placed}\n`;
    }
    rows += 1 + b.items.length;
    if (b.payment) {
      const p = b.payment;
      payments += `${id}\t${p.method}\t${p.status}\t${money(b.totalCents)}\t${timestamp(p.paidAt)}\t${timestamp(p.paidAt)}\t${timestamp(p.updatedAt)}\n`;
      rows += 1;
    }
    if (b.shipment) {
      const s = b.shipment;
      const delivered = s.deliveredAt === undefined ? '\\N' : timestamp(s.deliveredAt);
      shipments += `${id}\t${s.carrier}\t${s.tracking}\t${s.status}\t${timestamp(s.shippedAt)}\t${delivered}\t${timestamp(s.shippedAt)}\t${timestamp(s.deliveredAt ?? s.shippedAt)}\n`;
      rows += 1;
    }
  }
  return { orders, items, payments, shipments, rows };
}
