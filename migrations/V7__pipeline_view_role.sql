-- The pipeline view (view/) reads and never writes: row counts of the storefront tables and the
-- replication slot's position (pg_replication_slots and pg_current_wal_lsn() need no grant). It
-- connects as its own role with SELECT and nothing else. Cluster-wide, hence create-if-missing.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${view_user}') THEN
        CREATE ROLE "${view_user}" LOGIN PASSWORD '${view_password}';
    ELSE
        ALTER ROLE "${view_user}" LOGIN PASSWORD '${view_password}';
    END IF;
END
$$;

GRANT CONNECT ON DATABASE "${flyway:database}" TO "${view_user}";
GRANT USAGE ON SCHEMA "${flyway:defaultSchema}" TO "${view_user}";
GRANT SELECT
    ON customers, addresses, categories, products, inventory,
       orders, order_items, payments, shipments
    TO "${view_user}";
-- Tables created later by the owner of the schema (a scenario's new captured table) are counted too.
ALTER DEFAULT PRIVILEGES IN SCHEMA "${flyway:defaultSchema}" GRANT SELECT ON TABLES TO "${view_user}";
