-- Runs once, when the server's data directory is created (the postgres image's
-- /docker-entrypoint-initdb.d, and the dockerless stack's first `up`). Databases only: schema and
-- roles belong to Flyway (migrations/).
CREATE DATABASE storefront;
