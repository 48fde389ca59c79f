-- Indexes for the delta generator's picks ("the first row at or after a random id" among rows in
-- some state), measured with pg_stat_statements while deltas ran at their maximum rate.
--
-- Secondary addresses are about one in seven and clustered by customer: a walk of the primary key
-- filtered on is_default read thousands of rows per pick (2.8 ms per delete).
CREATE INDEX addresses_secondary_id_ix ON addresses (id) WHERE NOT is_default;

-- Orders in flight (placed, paid, shipped) are a few percent of all orders and the newest ones.
-- The picks are prepared statements; a generic plan does not know the random id, preferred the
-- primary key filtered on status over (status, id), and read every order after that id (10 ms per
-- pick instead of 0.1). One small partial index per in-flight status is the cheapest path for any
-- id, and smaller to maintain than (status, id) over every order, which it replaces.
CREATE INDEX orders_placed_id_ix ON orders (id) WHERE status = 'placed';
CREATE INDEX orders_paid_id_ix ON orders (id) WHERE status = 'paid';
CREATE INDEX orders_shipped_id_ix ON orders (id) WHERE status = 'shipped';
DROP INDEX orders_status_id_ix;
