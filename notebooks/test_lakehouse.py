"""lakehouse.py's own rules, on fixture change tables (no stack needed; CI runs them with the notebooks).

- A Kafka record is its topic, partition and offset: the same offset in two partitions is two
  records, the same record twice is a duplicate.
- The current state drops the metadata columns, with or without `_kafka_metadata`.
- A catalog that cannot be read is an error (exit 1, one line), never "the table is missing".
"""

from __future__ import annotations

import pyarrow as pa
import pytest

import lakehouse as lh


def change_log(rows: list[dict], kafka_metadata: bool = True) -> pa.Table:
    """A change table as the sink writes it: the row, `_cdc`, and (by default) `_kafka_metadata`."""
    out = []
    for r in rows:
        row = {
            "id": r["id"],
            "status": r["status"],
            "_cdc": {"op": r["op"], "offset": r["offset"], "key": {"id": r["id"]}},
        }
        if kafka_metadata:
            row["_kafka_metadata"] = {"topic": "t", "partition": r["partition"], "offset": r["offset"]}
        out.append(row)
    return pa.Table.from_pylist(out)


def test_the_same_offset_in_two_partitions_is_two_records_not_a_duplicate():
    log = change_log(
        [
            {"id": 1, "status": "a", "op": "I", "offset": 0, "partition": 0},
            {"id": 2, "status": "b", "op": "I", "offset": 0, "partition": 1},
            {"id": 3, "status": "c", "op": "I", "offset": 1, "partition": 1},
        ]
    )
    assert lh.duplicate_offsets(log) == 0


def test_a_record_written_twice_is_a_duplicate():
    log = change_log(
        [
            {"id": 1, "status": "a", "op": "I", "offset": 0, "partition": 0},
            {"id": 1, "status": "a", "op": "I", "offset": 0, "partition": 0},
            {"id": 2, "status": "b", "op": "I", "offset": 0, "partition": 1},
        ]
    )
    assert lh.duplicate_offsets(log) == 1


def test_a_table_without_kafka_metadata_counts_by_cdc_offset():
    log = change_log(
        [
            {"id": 1, "status": "a", "op": "I", "offset": 0, "partition": 0},
            {"id": 1, "status": "a", "op": "I", "offset": 0, "partition": 0},
        ],
        kafka_metadata=False,
    )
    assert lh.duplicate_offsets(log) == 1


@pytest.mark.parametrize("kafka_metadata", [True, False])
def test_the_current_state_is_the_latest_change_per_key_without_deletes_or_metadata(kafka_metadata):
    log = change_log(
        [
            {"id": 1, "status": "placed", "op": "I", "offset": 0, "partition": 0},
            {"id": 1, "status": "paid", "op": "U", "offset": 1, "partition": 0},
            {"id": 2, "status": "placed", "op": "I", "offset": 2, "partition": 0},
            {"id": 2, "status": "placed", "op": "D", "offset": 3, "partition": 0},
        ],
        kafka_metadata,
    )
    state = lh.state_of(log)
    assert state.column_names == ["id", "status"]
    assert state.to_pylist() == [{"id": 1, "status": "paid"}]


def test_a_catalog_that_does_not_answer_is_an_error_not_a_missing_table(monkeypatch, capsys):
    # Nothing listens on port 9.
    monkeypatch.setitem(lh._settings, "PG_PORT", "9")
    lh.catalog.cache_clear()
    try:
        with pytest.raises(Exception) as raised:
            lh.report("orders")
        assert not isinstance(raised.value, lh.NoSuchTableError)
        assert lh.main(["current-state", "orders"]) == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith("lakehouse.py: cannot read the lakehouse: ")
        assert "\n" not in err
    finally:
        lh.catalog.cache_clear()
