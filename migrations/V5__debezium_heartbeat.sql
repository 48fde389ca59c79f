-- Keeps the replication slot moving on a quiet storefront. A slot can only confirm WAL it has
-- been sent changes for; while the captured tables are idle and other databases of the cluster
-- write WAL, the slot would pin that WAL on disk. Debezium writes this row on every heartbeat
-- (heartbeat.action.query), the write reaches it through the publication, and the slot advances.
-- The table is in the publication but not in the connector's table.include.list: no topic.
CREATE TABLE debezium_heartbeat (
    id         integer     NOT NULL,
    beat_at    timestamptz NOT NULL,
    CONSTRAINT debezium_heartbeat_pk PRIMARY KEY (id),
    CONSTRAINT debezium_heartbeat_single_row_ck CHECK (id = 1)
);

GRANT SELECT, INSERT, UPDATE ON debezium_heartbeat TO "${debezium_user}";

ALTER PUBLICATION storefront_cdc ADD TABLE debezium_heartbeat;
