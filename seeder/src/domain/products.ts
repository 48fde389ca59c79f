import { leaves, type Leaf } from './catalog.js';
import { money, text, timestamp } from './copy-text.js';
import { DAY_MS, historyStart, type LoadPlan } from './plan.js';
import { wordLists } from './word-lists.js';
import { Rng, Stream, hash32, unit } from './random.js';

export function productLeaf(plan: LoadPlan, index: number): Leaf {
  return leaves[hash32(plan.seed, Stream.products, index) % leaves.length] as Leaf;
}

/**
 * A product's price is a pure function of (seed, index), so orders can price their items without
 * holding the catalogue in memory. Log-uniform in the leaf's range, with shop-like endings.
 */
export function productPriceCents(plan: LoadPlan, index: number): number {
  const [min, max] = productLeaf(plan, index).price;
  const u = unit(plan.seed, Stream.products, index, 7);
  const dollars = Math.floor(min * Math.pow(max / min, u));
  const endings = [99, 99, 49, 0, 95];
  return Math.max(
    1,
    dollars * 100 + (endings[hash32(plan.seed, Stream.products, index, 8) % endings.length] as number),
  );
}

export interface ProductRows {
  /** COPY products (id, category_id, sku, name, description, price, active, created_at, updated_at) */
  products: string;
  /** COPY inventory (product_id, quantity, updated_at) */
  inventory: string;
  rows: number;
}

export function renderProducts(plan: LoadPlan, from: number, to: number): ProductRows {
  const catalogueStart = historyStart(plan) - 60 * DAY_MS;
  let products = '';
  let inventory = '';
  for (let i = from; i < to; i++) {
    const rng = new Rng(plan.seed, Stream.products, i);
    const leaf = productLeaf(plan, i);
    const categoryId = plan.leafCategoryIds[leaves.indexOf(leaf)] as number;
    const id = plan.firstId.product + i;
    const adjective = rng.pick(wordLists.adjectives);
    const material = rng.pick(wordLists.materials);
    const noun = rng.pick(leaf.nouns);
    const name = `${adjective} ${material} ${noun}`;
    const description = `${adjective} ${noun.toLowerCase()} in ${material.toLowerCase()}, from our ${leaf.name.toLowerCase()} range.`;
    const created = catalogueStart + Math.floor(rng.next() * 60 * DAY_MS);
    const updated = rng.chance(0.3) ? created + Math.floor(rng.next() * (plan.until - created)) : created;
    const active = rng.chance(0.95) ? 't' : 'f';
    const sku = `SKU-${String(id).padStart(8, '0')}`;
    products += `${id}\t${categoryId}\t${sku}\t${text(name)}\t${text(description)}\t${money(productPriceCents(plan, i))}\t${active}\t${timestamp(created)}\t${timestamp(updated)}\n`;
    const stock = rng.chance(0.05) ? 0 : rng.int(1, 500);
    inventory += `${id}\t${stock}\t${timestamp(updated)}\n`;
  }
  return { products, inventory, rows: 2 * (to - from) };
}
