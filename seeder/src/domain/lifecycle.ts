/** The order life cycle that the schema's checks allow and every generator follows. */
export const orderStatuses = ['placed', 'paid', 'shipped', 'delivered', 'cancelled'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

export const orderTransitions: Record<OrderStatus, readonly OrderStatus[]> = {
  placed: ['paid', 'cancelled'],
  paid: ['shipped', 'cancelled'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
};

/**
 * How long the delta generator leaves an order in a status before its next step: a shop's minutes
 * to days compressed to seconds, so a minute of deltas still shows every status, yet no order is
 * paid, shipped and delivered within the same second. Measured on orders.updated_at, which a
 * trigger sets on every change.
 */
export const minimumAgeSeconds = { placed: 2, paid: 5, shipped: 10 } as const satisfies Partial<
  Record<OrderStatus, number>
>;

export function isLegalTransition(from: OrderStatus, to: OrderStatus): boolean {
  return orderTransitions[from].includes(to);
}

export const paymentMethods = [
  ['card', 62],
  ['paypal', 24],
  ['bank_transfer', 8],
  ['gift_card', 6],
] as const;

export const carriers = [
  ['ups', 35],
  ['fedex', 25],
  ['usps', 25],
  ['dhl', 15],
] as const;
