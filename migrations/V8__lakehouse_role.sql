-- The lakehouse layer's role: Iceberg's sink connector (its JdbcCatalog) and readers of the
-- lakehouse log in as it. It owns the catalog database, which the lakehouse layer creates
-- (compose/lakehouse/catalog.sql), and gets nothing here: the change events it writes come from
-- Kafka, never from the storefront's tables. Cluster-wide, hence create-if-missing.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${lakehouse_user}') THEN
        CREATE ROLE "${lakehouse_user}" LOGIN PASSWORD '${lakehouse_password}';
    ELSE
        ALTER ROLE "${lakehouse_user}" LOGIN PASSWORD '${lakehouse_password}';
    END IF;
END
$$;
