/**
 * Renders one chunk of a full load as COPY text. Runs in a worker thread (piscina), so the next
 * chunks are generated on the other core while PostgreSQL ingests the current one. The
 * generators are pure functions of (plan, entity, index): a chunk renders the same wherever it
 * runs and whatever the chunking, so the data stays deterministic.
 */
import { renderCustomers, type CustomerRows } from '../domain/customers.js';
import { renderOrders, type OrderRows } from '../domain/orders.js';
import type { LoadPlan } from '../domain/plan.js';
import { renderProducts, type ProductRows } from '../domain/products.js';

export type RenderTask =
  | { entity: 'customers'; plan: LoadPlan; from: number; to: number }
  | { entity: 'products'; plan: LoadPlan; from: number; to: number }
  | { entity: 'orders'; plan: LoadPlan; from: number; to: number };

export default function render(task: RenderTask): CustomerRows | ProductRows | OrderRows {
  switch (task.entity) {
    case 'customers':
      return renderCustomers(task.plan, task.from, task.to);
    case 'products':
      return renderProducts(task.plan, task.from, task.to);
    case 'orders':
      return renderOrders(task.plan, task.from, task.to);
  }
}
