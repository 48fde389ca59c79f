import { customerCreatedAt, customerZone, defaultAddressId } from './customers.js';
import { timelineOf } from './history.js';
import { money, timestamp } from './copy-text.js';
import { carriers, paymentMethods, type OrderStatus } from './lifecycle.js';
import { DAY_MS, type LoadPlan } from './plan.js';
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

/**
 * Older orders have moved further along their life cycle: the status mix by age, for orders
 * younger than `underDays` (the last row takes every older order).
 */
const statusByAge: readonly { underDays: number; mix: readonly (readonly [OrderStatus, number])[] }[] = [
  {
    underDays: 1,
    mix: [
      ['placed', 45],
      ['paid', 45],
      ['cancelled', 10],
    ],
  },
  {
    underDays: 3,
    mix: [
      ['placed', 5],
      ['paid', 35],
      ['shipped', 52],
      ['cancelled', 8],
    ],
  },
  {
    underDays: 8,
    mix: [
      ['paid', 3],
      ['shipped', 47],
      ['delivered', 44],
      ['cancelled', 6],
    ],
  },
  {
    underDays: Infinity,
    mix: [
      ['delivered', 94],
      ['cancelled', 6],
    ],
  },
];

function finalStatus(rng: Rng, ageDays: number): OrderStatus {
  return rng.weighted(statusByAge.find((s) => ageDays < s.underDays)!.mix);
}

/** A tracking number in the carrier's format. */
export function trackingNumber(rng: Rng, carrier: string): string {
  switch (carrier) {
    case 'ups':
      return `1Z${rng.digits('################')}`;
    case 'usps':
      return rng.digits('9400############ ##########').replace(' ', '');
    default:
      return rng.digits('############');
  }
}

/** How many different products an order holds. */
export function drawItemCount(rng: Rng): number {
  return rng.weighted([
    [1, 40],
    [2, 30],
    [3, 15],
    [4, 10],
    [5, 5],
  ] as const);
}

/** How many of one product an order line holds. */
export function drawQuantity(rng: Rng): number {
  return rng.weighted([
    [1, 70],
    [2, 20],
    [3, 8],
    [4, 2],
  ] as const);
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

/** Customers drawn at most per order to find one in the time zone its hour favours. */
const ZONE_TRIES = 12;

export function orderBundle(plan: LoadPlan, index: number): OrderBundle {
  const rng = new Rng(plan.seed, Stream.orders, index);
  const timeline = timelineOf(plan);
  let placedAt = Math.floor(timeline.at((index + rng.next()) / plan.orders));

  // A customer who had signed up by then (customer k of n signs up when the timeline reaches
  // about k/n), from the time zone the hour favours: at 9 p.m. Eastern most orders are placed in
  // the east. A few draws among the signed-up; the last one stands if none lives there.
  const signedUp = Math.max(1, Math.min(plan.customers, Math.floor(timeline.fractionBy(placedAt) * plan.customers)));
  const zone = timeline.zoneAt(placedAt, rng.next());
  let customerIndex = 0;
  let signedUpAt = 0;
  for (let tries = 0; tries < ZONE_TRIES; tries++) {
    customerIndex = Math.floor(rng.next() * signedUp);
    signedUpAt = customerCreatedAt(plan, customerIndex);
    if (customerZone(plan, customerIndex, signedUpAt) === zone) break;
  }
  placedAt = Math.min(plan.until - MINUTE_MS, Math.max(placedAt, signedUpAt + 10 * MINUTE_MS));

  const count = Math.min(plan.products, drawItemCount(rng));
  const items = pickProducts(rng, plan.products, count).map((productIndex) => ({
    productIndex,
    quantity: drawQuantity(rng),
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
}

export function renderOrders(plan: LoadPlan, from: number, to: number): OrderRows {
  let orders = '';
  let items = '';
  let payments = '';
  let shipments = '';
  for (let i = from; i < to; i++) {
    const b = orderBundle(plan, i);
    const id = plan.firstId.order + i;
    const placed = timestamp(b.placedAt);
    orders += `${id}\t${plan.firstId.customer + b.customerIndex}\t${defaultAddressId(plan, b.customerIndex)}\t${b.status}\tUSD\t${money(b.totalCents)}\t${placed}\t${placed}\t${timestamp(b.updatedAt)}\n`;
    for (const it of b.items) {
      items += `${id}\t${plan.firstId.product + it.productIndex}\t${it.quantity}\t${money(it.unitCents)}\t${placed}\n`;
    }
    if (b.payment) {
      const p = b.payment;
      const paid = timestamp(p.paidAt);
      payments += `${id}\t${p.method}\t${p.status}\t${money(b.totalCents)}\t${paid}\t${paid}\t${p.updatedAt === p.paidAt ? paid : timestamp(p.updatedAt)}\n`;
    }
    if (b.shipment) {
      const s = b.shipment;
      const shipped = timestamp(s.shippedAt);
      const delivered = s.deliveredAt === undefined ? undefined : timestamp(s.deliveredAt);
      shipments += `${id}\t${s.carrier}\t${s.tracking}\t${s.status}\t${shipped}\t${delivered ?? '\\N'}\t${shipped}\t${delivered ?? shipped}\n`;
    }
  }
  return { orders, items, payments, shipments };
}
