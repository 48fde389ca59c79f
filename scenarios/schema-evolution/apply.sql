-- Schema evolution while the pipeline runs: a nullable column with a default on a captured
-- table, and a new captured table. Not a baseline migration (migrations/), so a fresh playground
-- stays as it is. Applied in one transaction by `npm run stack -- scenario schema-evolution`,
-- ${debezium_user} and ${seeder_user} filled from .env as Flyway fills them; safe to repeat.

-- Rows that exist read the default at once (PostgreSQL stores it as the column's missing value);
-- their change events written before this have no such field.
ALTER TABLE orders ADD COLUMN IF NOT EXISTS gift_wrap boolean DEFAULT FALSE;

CREATE TABLE IF NOT EXISTS product_reviews (
    id bigint GENERATED ALWAYS AS IDENTITY,
    product_id bigint NOT NULL,
    customer_id bigint,
    rating smallint NOT NULL,
    body text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT product_reviews_pk PRIMARY KEY (id),
    CONSTRAINT product_reviews_product_id_fk FOREIGN KEY (product_id)
    REFERENCES products (id) ON DELETE CASCADE,
    CONSTRAINT product_reviews_customer_id_fk FOREIGN KEY (customer_id)
    REFERENCES customers (id) ON DELETE SET NULL,
    CONSTRAINT product_reviews_rating_ck CHECK (rating BETWEEN 1 AND 5)
);

-- What every captured table has (migrations V2 to V4): the whole before-image, SELECT for
-- Debezium's role, DML for the seeder's, and a place in the publication.
ALTER TABLE product_reviews REPLICA IDENTITY FULL;
GRANT SELECT ON product_reviews TO "${debezium_user}";
GRANT SELECT, INSERT, UPDATE, DELETE ON product_reviews TO "${seeder_user}";
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT FROM pg_publication_tables
        WHERE pubname = 'storefront_cdc' AND tablename = 'product_reviews'
    ) THEN
        ALTER PUBLICATION storefront_cdc ADD TABLE product_reviews;
    END IF;
END
$$;
