import type { HistoryShape } from './history.js';

export const DAY_MS = 86_400_000;
/** A full load simulates this much shop history, ending at `until`. */
export const HISTORY_DAYS = 730;

/**
 * Everything a generator needs to render rows: the request, the end of the simulated history and
 * the first id of each block the load reserved. Plain data, so it can be handed to a worker.
 */
export interface LoadPlan {
  seed: number;
  until: number;
  customers: number;
  products: number;
  orders: number;
  /** When in the history sign-ups and orders happen (history.ts). */
  history: HistoryShape;
  firstId: { customer: number; address: number; product: number; order: number };
  /** Category id of each catalog leaf, in `leaves` order. */
  leafCategoryIds: number[];
}

export function historyStart(plan: Pick<LoadPlan, 'until'>): number {
  return plan.until - HISTORY_DAYS * DAY_MS;
}
