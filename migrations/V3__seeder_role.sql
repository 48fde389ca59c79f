-- The seeder writes data and nothing else: it connects as its own role with DML rights on the
-- storefront tables, never as the superuser and never with DDL rights (Flyway owns the schema).
-- Cluster-wide like the Debezium role, hence create-if-missing.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${seeder_user}') THEN
        CREATE ROLE "${seeder_user}" LOGIN PASSWORD '${seeder_password}';
    ELSE
        ALTER ROLE "${seeder_user}" LOGIN PASSWORD '${seeder_password}';
    END IF;
END
$$;

GRANT CONNECT ON DATABASE "${flyway:database}" TO "${seeder_user}";
GRANT USAGE ON SCHEMA "${flyway:defaultSchema}" TO "${seeder_user}";
GRANT SELECT, INSERT, UPDATE, DELETE
    ON customers, addresses, categories, products, inventory,
       orders, order_items, payments, shipments
    TO "${seeder_user}";
-- A full load reserves a block of ids with setval, and deltas take ids with nextval.
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA "${flyway:defaultSchema}" TO "${seeder_user}";
-- Read-only, so that /ready can tell whether migrations are applied.
GRANT SELECT ON "${flyway:table}" TO "${seeder_user}";
