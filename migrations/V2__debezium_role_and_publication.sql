-- Debezium reads the WAL as its own least-privileged role: LOGIN REPLICATION and SELECT on the
-- captured tables (for the initial snapshot), never a superuser. The role is cluster-wide while
-- migrations run per database, so it is created only if missing (a second storefront database,
-- or the test suite's one database per test file, finds it already there) and its password is
-- always brought in line with the placeholder fed from .env.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${debezium_user}') THEN
        CREATE ROLE "${debezium_user}" LOGIN REPLICATION PASSWORD '${debezium_password}';
    ELSE
        ALTER ROLE "${debezium_user}" LOGIN REPLICATION PASSWORD '${debezium_password}';
    END IF;
END
$$;

GRANT CONNECT ON DATABASE "${flyway:database}" TO "${debezium_user}";
GRANT USAGE ON SCHEMA "${flyway:defaultSchema}" TO "${debezium_user}";
GRANT SELECT ON customers, addresses, categories, products, inventory,
                orders, order_items, payments, shipments
    TO "${debezium_user}";

-- Created here, owned by the migration's role, filtered to the captured tables: the connector
-- runs with publication.autocreate.mode=disabled because its role may not create publications.
CREATE PUBLICATION storefront_cdc
    FOR TABLE customers, addresses, categories, products, inventory,
              orders, order_items, payments, shipments;
