"""The lakehouse from Python: the Iceberg change tables the sink writes, and each table's current state.

Apache Iceberg's sink appends every change event of a captured table to `lakehouse.<table>_changes`
(its DebeziumTransform adds a `_cdc` struct: op I/U/D, ts, the Kafka offset, source, target, key;
its KafkaMetadataTransform a `_kafka_metadata` struct: topic, partition, offset, timestamp).
The table as it is now is a query over that log: per key, the change with the highest offset, unless
it is a delete. `current_state()` runs it with DuckDB over the Arrow table pyiceberg reads;
`npm run stack -- verify --lakehouse` compares its result with the source through this file's
command line:

    python notebooks/lakehouse.py current-state [table ...]   # one JSON line per table
    python notebooks/lakehouse.py freshness <since epoch ms>    # the bench's freshness samples

Settings come from the repository's .env with the process environment on top, as everywhere else;
the catalog's name and the table names from the sink's template (connectors/lakehouse/).
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from dotenv import dotenv_values
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import NoSuchTableError
from pyiceberg.table import Table

ROOT = Path(__file__).resolve().parent.parent
_settings = {**dotenv_values(ROOT / ".env"), **os.environ}
SINK = json.loads((ROOT / "connectors" / "lakehouse" / "iceberg-sink.template.json").read_text())

# The columns the sink's transforms add to every change row (a table written before the
# KafkaMetadataTransform was configured has only the first).
METADATA_COLUMNS = ("_cdc", "_kafka_metadata")

# The current state of a change table: the latest change per key (the Kafka offset orders a key's
# changes: a key always goes to the same partition), deletes removed, the metadata columns dropped.
CURRENT_STATE_TEMPLATE = """
SELECT * EXCLUDE ({metadata}, _latest)
FROM (
    SELECT *, row_number() OVER (PARTITION BY _cdc.key ORDER BY _cdc."offset" DESC) AS _latest
    FROM changes
)
WHERE _latest = 1 AND _cdc.op <> 'D'
"""
CURRENT_STATE_SQL = CURRENT_STATE_TEMPLATE.format(metadata=", ".join(METADATA_COLUMNS))

# A Kafka record is its topic, partition and offset: a change row whose record is in the table
# more than once was written twice. (Offsets alone repeat across partitions.) Rows without
# _kafka_metadata (an older table) count by _cdc's offset, as one partition.
DUPLICATES_SQL = """
SELECT coalesce(sum(n - 1), 0) FROM (
    SELECT count(*) AS n FROM changes
    GROUP BY {record}
)
"""
RECORD_OF_ROW = '_kafka_metadata.topic, _kafka_metadata."partition", coalesce(_kafka_metadata."offset", _cdc."offset")'


def setting(name: str) -> str:
    value = _settings.get(name)
    if not value:
        raise KeyError(f"{name} is not set: see .env")
    return value


@cache
def catalog() -> SqlCatalog:
    """The sink's JdbcCatalog, read through pyiceberg's SQL catalog (the same two tables)."""
    uri = (
        f"postgresql+psycopg2://{setting('LAKEHOUSE_PG_USER')}:{setting('LAKEHOUSE_PG_PASSWORD')}"
        f"@127.0.0.1:{setting('PG_PORT')}/{setting('LAKEHOUSE_PG_DATABASE')}"
    )
    # A reader never creates the catalog's tables: the sink does (jdbc.schema-version V1, as here).
    return SqlCatalog(SINK["iceberg.catalog"], uri=uri, init_catalog_tables="false")


def table_name(table: str) -> str:
    """The Iceberg table a captured table's changes land in (the sink's cdc.target.pattern)."""
    return SINK["transforms.debezium.cdc.target.pattern"].replace("{table}", table)


def change_table(table: str) -> Table:
    return catalog().load_table(table_name(table))


def changes(table: str, snapshot_id: int | None = None) -> pa.Table:
    """Every change event of `table` in the lakehouse, as of a snapshot (default: the latest)."""
    return change_table(table).scan(snapshot_id=snapshot_id).to_arrow()


def current_state(table: str, snapshot_id: int | None = None, log: pa.Table | None = None) -> pa.Table:
    """`table` as it is now (or as of a snapshot), rebuilt from its change table."""
    return state_of(changes(table, snapshot_id) if log is None else log)


def state_of(log: pa.Table) -> pa.Table:
    """CURRENT_STATE_SQL over a change table already read (without the metadata it does not have)."""
    present = [c for c in METADATA_COLUMNS if c in log.column_names]
    with duckdb.connect() as db:
        db.register("changes", log)
        return db.sql(CURRENT_STATE_TEMPLATE.format(metadata=", ".join(present))).to_arrow_table()


def duplicate_offsets(log: pa.Table) -> int:
    """Change rows whose Kafka record (topic, partition, offset) is in the table more than once:
    the sink wrote a record twice."""
    record = RECORD_OF_ROW if "_kafka_metadata" in log.column_names else '_cdc."offset"'
    with duckdb.connect() as db:
        db.register("changes", log)
        (n,) = db.execute(DUPLICATES_SQL.format(record=record)).fetchone()
        return int(n)


def freshness(since_ms: int) -> list[float]:
    """Milliseconds from Debezium reading a change (`_cdc.ts`) to the commit of the Iceberg snapshot
    that made it visible, for every change committed after `since_ms` (epoch ms), in every table."""
    out: list[float] = []
    namespace = table_name("x").split(".")[0]
    for ident in catalog().list_tables(namespace):
        table = catalog().load_table(ident)
        committed = {s.snapshot_id: s.timestamp_ms for s in table.snapshots() if s.timestamp_ms > since_ms}
        if not committed:
            continue
        # Each live data file, with the snapshot that added it (fast appends keep that entry).
        entries = table.inspect.entries().to_pylist()
        for entry in entries:
            at = committed.get(entry["snapshot_id"])
            if at is None or entry["status"] != 1:  # 1: ADDED
                continue
            with table.io.new_input(entry["data_file"]["file_path"]).open() as f:
                read = pq.read_table(f, columns=["_cdc"]).column("_cdc").combine_chunks().field("ts")
            micros = read.cast(pa.timestamp("us", tz="UTC")).cast(pa.int64()).to_pylist()
            out.extend(at - us / 1000 for us in micros)
    return out


def _plain(value: Any) -> Any:
    """JSON for the stack's comparison: decimals as PostgreSQL prints them, longs beyond 2^53 as text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) > 2**53:
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def report(table: str) -> dict[str, Any]:
    """One table for `verify --lakehouse`: its current state keyed by the record key, and counts."""
    # A table the sink has not created yet is missing, for the comparison to count; anything else
    # (the catalog's database down, a wrong password) is no answer at all and ends the run.
    try:
        iceberg = change_table(table)
    except NoSuchTableError as err:
        return {"table": table, "found": False, "error": str(err)}
    log = iceberg.scan().to_arrow()
    state = state_of(log) if log.num_rows else log
    keys = log.schema.field("_cdc").type.field("key").type if log.num_rows else None
    key_names = [keys.field(i).name for i in range(keys.num_fields)] if keys else []
    return {
        "table": table,
        "found": True,
        "snapshots": len(iceberg.snapshots()),
        "changes": log.num_rows,
        "duplicateOffsets": duplicate_offsets(log) if log.num_rows else 0,
        "key": key_names,
        "rows": [_plain(row) for row in state.to_pylist()],
    }


def main(argv: list[str]) -> int:
    try:
        return run(argv)
    except Exception as err:  # noqa: BLE001 - one line the stack can show, not a trace
        print(f"lakehouse.py: cannot read the lakehouse: {type(err).__name__}: {err}".splitlines()[0], file=sys.stderr)
        return 1


def run(argv: list[str]) -> int:
    if argv[:1] == ["freshness"] and len(argv) == 2:
        print(json.dumps(sorted(freshness(int(argv[1])))))
        return 0
    if not argv or argv[0] != "current-state":
        print(
            "usage: python notebooks/lakehouse.py current-state [table ...]\n"
            "       python notebooks/lakehouse.py freshness <since epoch ms>",
            file=sys.stderr,
        )
        return 2
    tables = argv[1:] or [name for _, name in catalog().list_tables(table_name("x").split(".")[0])]
    for table in tables:
        print(json.dumps(report(table.removesuffix("_changes") if not argv[1:] else table)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
