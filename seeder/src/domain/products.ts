import { leaves, type Leaf } from './catalog.js';
import { money, text, timestamp } from './copy-text.js';
import { DAY_MS, historyStart, type LoadPlan } from './plan.js';
import { wordLists } from './word-lists.js';
import { Rng, Stream, hash32, unit } from './random.js';

export function productLeaf(plan: LoadPlan, index: number): Leaf {
  return leaves[hash32(plan.seed, Stream.products, index) % leaves.length] as Leaf;
}

const priceEndings = [99, 99, 49, 0, 95];

/**
 * A price in cents: log-uniform in the leaf's range (`u` in [0, 1)), with a shop-like ending
 * chosen by `ending` (any non-negative integer).
 */
export function priceCents(leaf: Leaf, u: number, ending: number): number {
  const [min, max] = leaf.price;
  const dollars = Math.floor(min * Math.pow(max / min, u));
  return Math.max(1, dollars * 100 + (priceEndings[ending % priceEndings.length] as number));
}

/**
 * A loaded product's price is a pure function of (seed, index), so orders can price their items
 * without holding the catalogue in memory.
 */
export function productPriceCents(plan: LoadPlan, index: number): number {
  return priceCents(
    productLeaf(plan, index),
    unit(plan.seed, Stream.products, index, 7),
    hash32(plan.seed, Stream.products, index, 8),
  );
}

/** What a product is called and how it is described; the full load and the deltas draw it here. */
export function drawListing(rng: Rng, leaf: Leaf): { name: string; description: string } {
  const adjective = rng.pick(wordLists.adjectives);
  const material = rng.pick(wordLists.materials);
  const noun = rng.pick(leaf.nouns);
  return {
    name: `${adjective} ${material} ${noun}`,
    description: `${adjective} ${noun.toLowerCase()} in ${material.toLowerCase()}, from our ${leaf.name.toLowerCase()} range.`,
  };
}

/** Stock after the simulated history: a few products have sold out. */
export function drawStock(rng: Rng): number {
  return rng.chance(0.05) ? 0 : rng.int(1, 500);
}

/** A product listed now (a delta): it arrives active and with stock. */
export interface NewProduct {
  /** Index into `leaves`. */
  leafIndex: number;
  name: string;
  description: string;
  priceCents: number;
  stock: number;
}

export function drawNewProduct(rng: Rng): NewProduct {
  const leafIndex = Math.floor(rng.next() * leaves.length);
  const leaf = leaves[leafIndex] as Leaf;
  const listing = drawListing(rng, leaf);
  const price = priceCents(leaf, rng.next(), Math.floor(rng.next() * 2 ** 32));
  return { leafIndex, ...listing, priceCents: price, stock: rng.int(20, 300) };
}

/** A product's SKU from its id; SQL builds the same with `'SKU-' || lpad(id::text, 8, '0')`. */
export function skuOf(id: number): string {
  return `SKU-${String(id).padStart(8, '0')}`;
}

export interface ProductRows {
  /** COPY products (id, category_id, sku, name, description, price, active, created_at, updated_at) */
  products: string;
  /** COPY inventory (product_id, quantity, updated_at) */
  inventory: string;
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
    const { name, description } = drawListing(rng, leaf);
    const created = catalogueStart + Math.floor(rng.next() * 60 * DAY_MS);
    const updated = rng.chance(0.3) ? created + Math.floor(rng.next() * (plan.until - created)) : created;
    const active = rng.chance(0.95) ? 't' : 'f';
    const sku = skuOf(id);
    const updatedText = timestamp(updated);
    products += `${id}\t${categoryId}\t${sku}\t${text(name)}\t${text(description)}\t${money(productPriceCents(plan, i))}\t${active}\t${updated === created ? updatedText : timestamp(created)}\t${updatedText}\n`;
    inventory += `${id}\t${drawStock(rng)}\t${updatedText}\n`;
  }
  return { products, inventory };
}
