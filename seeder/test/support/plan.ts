import { leaves } from '../../src/domain/catalog.js';
import { defaultHistory } from '../../src/domain/history.js';
import type { LoadPlan } from '../../src/domain/plan.js';

/** A load plan for rendering without a database: ids from 1, made-up category ids. */
export const testPlan = (seed: number, over: Partial<LoadPlan> = {}): LoadPlan => ({
  seed,
  until: Date.parse('2026-06-01T00:00:00Z'),
  customers: 500,
  products: 80,
  orders: 2_000,
  history: defaultHistory,
  firstId: { customer: 1, address: 1, product: 1, order: 1 },
  leafCategoryIds: leaves.map((_, i) => 100 + i),
  ...over,
});
