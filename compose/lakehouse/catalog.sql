-- The Iceberg catalog's own database, owned by the lakehouse role (migrations/V8 creates it): the
-- sink's JdbcCatalog creates its two tables there, and the role holds no right on the storefront.
-- Only its owner (and the superuser) may connect to it.
-- Run as the superuser, with the variables db and owner: by psql in docker-compose.lakehouse.yaml
-- (lakehouse-catalog), and by the dockerless stack (stack/src/components/lakehouse.ts), which
-- fills the same variables and runs the \gexec line the same way. Safe to repeat.
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'owner')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
ALTER DATABASE :"db" OWNER TO :"owner";
REVOKE CONNECT ON DATABASE :"db" FROM PUBLIC;
