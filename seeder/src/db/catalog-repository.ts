import { departments, leaves } from '../domain/catalog.js';
import type { Pool, PoolClient } from './pool.js';

/**
 * Upserts the category tree (reference data, keyed by slug) and returns the id of each leaf in
 * `leaves` order. Safe to run concurrently and repeatedly.
 */
export async function ensureCatalog(db: Pick<Pool | PoolClient, 'query'>): Promise<number[]> {
  await db.query(
    `INSERT INTO categories (name, slug) SELECT * FROM unnest($1::text[], $2::text[])
     ON CONFLICT (slug) DO NOTHING`,
    [departments.map((d) => d.name), departments.map((d) => d.slug)],
  );
  await db.query(
    `INSERT INTO categories (parent_id, name, slug)
     SELECT p.id, l.name, l.slug
       FROM unnest($1::text[], $2::text[], $3::text[]) AS l(name, slug, parent)
       JOIN categories p ON p.slug = l.parent
     ON CONFLICT (slug) DO NOTHING`,
    [leaves.map((l) => l.name), leaves.map((l) => l.slug), leaves.map((l) => l.parent)],
  );
  const { rows } = await db.query<{ id: string; slug: string }>(
    'SELECT id, slug FROM categories WHERE slug = ANY($1::text[])',
    [leaves.map((l) => l.slug)],
  );
  const bySlug = new Map(rows.map((r) => [r.slug, Number(r.id)]));
  return leaves.map((l) => {
    const id = bySlug.get(l.slug);
    if (id === undefined) throw new Error(`category ${l.slug} is missing after upsert`);
    return id;
  });
}
