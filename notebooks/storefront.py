"""Endpoints and small helpers the notebooks share.

Every endpoint comes from the repository's .env, with the process environment on top (as docker
compose and `npm run stack` read them), so the notebooks work against the dockerless stack and the
compose path alike: everything is reached through the ports published on 127.0.0.1.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg
import requests
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient, topic_subject_name_strategy
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext
from dotenv import dotenv_values

ROOT = Path(__file__).resolve().parent.parent
_settings = {**dotenv_values(ROOT / ".env"), **os.environ}


def setting(name: str) -> str:
    value = _settings.get(name)
    if not value:
        raise KeyError(f"{name} is not set: see .env")
    return value


PG = {
    "host": "127.0.0.1",
    "port": int(setting("PG_PORT")),
    "user": setting("PG_USER"),
    "password": setting("PG_PASSWORD"),
    "dbname": setting("PG_DATABASE"),
}
SEEDER_URL = f"http://127.0.0.1:{setting('SEEDER_PORT')}"
KAFKA = f"127.0.0.1:{setting('KAFKA_PORT')}"
REGISTRY_URL = f"http://127.0.0.1:{setting('REGISTRY_PORT')}/apis/ccompat/v7"
CONNECT_URL = f"http://127.0.0.1:{setting('CONNECT_PORT')}"


def query(sql: str, params: Any = None) -> pd.DataFrame:
    """Runs one query as the superuser from .env and returns its rows as a DataFrame."""
    with psycopg.connect(**PG) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        columns = [c.name for c in cur.description or []]
        return pd.DataFrame(cur.fetchall(), columns=columns)


def seeder(method: str, path: str, **kwargs: Any) -> Any:
    """Calls the seeder API and returns its JSON; a failed call raises with the seeder's message."""
    res = requests.request(method, f"{SEEDER_URL}{path}", timeout=120, **kwargs)
    if not res.ok:
        raise RuntimeError(f"{method} {path}: HTTP {res.status_code} {res.text}")
    return res.json()


def connector_state() -> dict[str, Any]:
    return requests.get(f"{CONNECT_URL}/connectors?expand=status", timeout=10).json()


def connector_config() -> dict[str, str]:
    """The Debezium connector's config as Kafka Connect has it: its slot, topic prefix and tables."""
    for c in requests.get(f"{CONNECT_URL}/connectors?expand=info", timeout=10).json().values():
        config = c["info"]["config"]
        if config.get("connector.class", "").endswith("PostgresConnector"):
            return config
    raise RuntimeError(f"no Debezium connector registered at {CONNECT_URL}: is the streaming layer up?")


def topic(table: str) -> str:
    """The topic of a captured table's change events."""
    return f"{connector_config()['topic.prefix']}.public.{table}"


def captured_topics() -> list[str]:
    """One topic per table the Debezium connector captures (its table.include.list)."""
    config = connector_config()
    return [f"{config['topic.prefix']}.{table}" for table in config["table.include.list"].split(",")]


def wait_for_capture(timeout: float = 60) -> None:
    """Waits until Debezium has confirmed the current WAL position: every commit so far is in Kafka."""
    target = query("SELECT pg_current_wal_lsn()::text AS lsn").lsn[0]
    slot = connector_config()["slot.name"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = query(
            "SELECT bool_or(confirmed_flush_lsn >= %s::pg_lsn) AS done FROM pg_replication_slots WHERE slot_name = %s",
            (target, slot),
        ).done[0]
        if done:
            return
        time.sleep(0.5)
    raise TimeoutError(f"Debezium did not confirm LSN {target} within {timeout} s; is the connector RUNNING?")


@dataclass
class Event:
    topic: str
    offset: int
    key: dict[str, Any] | None
    value: dict[str, Any] | None  # None: a tombstone
    kafka_ms: int  # when the record reached Kafka
    received_ms: float  # when this consumer had it (before decoding)
    schema_id: int | None = field(default=None)


class ChangeStream:
    """A Kafka consumer that decodes Confluent-framed Avro through the registry."""

    def __init__(self, group: str | None = None) -> None:
        # A registry that does not answer fails the call after 10 s instead of hanging the notebook.
        self.registry = SchemaRegistryClient({"url": REGISTRY_URL, "timeout": 10})
        # Subjects are <topic>-key / <topic>-value, as the converter registers them. Named, because
        # the client's default strategy asks the registry for "associations", an API of Confluent's
        # own registry that Apicurio's Confluent-compatible one does not serve.
        self.decode = AvroDeserializer(self.registry, conf={"subject.name.strategy": topic_subject_name_strategy})
        self.consumer = Consumer(
            {
                "bootstrap.servers": KAFKA,
                "group.id": group or f"notebook-{os.getpid()}-{time.time_ns()}",
                "enable.auto.commit": False,
                # follow() starts at the end; read_all() assigns the beginning explicitly.
                "auto.offset.reset": "latest",
            }
        )

    def _event(self, msg: Any) -> Event:
        received_ms = time.time() * 1000
        name = msg.topic()
        raw = msg.value()
        return Event(
            topic=name,
            offset=msg.offset(),
            key=self.decode(msg.key(), SerializationContext(name, MessageField.KEY)),
            value=None if raw is None else self.decode(raw, SerializationContext(name, MessageField.VALUE)),
            kafka_ms=msg.timestamp()[1],
            received_ms=received_ms,
            schema_id=None if raw is None else int.from_bytes(raw[1:5], "big"),
        )

    def read_all(self, topics: list[str], timeout: float = 60) -> list[Event]:
        """Every record of `topics` from the beginning up to their current end."""
        ends: dict[tuple[str, int], int] = {}
        assignment = []
        for topic in topics:
            metadata = self.consumer.list_topics(topic, timeout=10).topics[topic]
            if metadata.error is not None:
                raise KafkaException(metadata.error)
            for p in metadata.partitions:
                low, high = self.consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
                if high > low:
                    ends[(topic, p)] = high
                assignment.append(TopicPartition(topic, p, OFFSET_BEGINNING))
        self.consumer.assign(assignment)
        events: list[Event] = []
        deadline = time.monotonic() + timeout
        while ends and time.monotonic() < deadline:
            msg = self.consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                raise KafkaException(msg.error())
            key = (msg.topic(), msg.partition())
            if key in ends and msg.offset() < ends[key]:
                events.append(self._event(msg))
            if key in ends and msg.offset() >= ends[key] - 1:
                del ends[key]
        if ends:
            raise TimeoutError(f"not caught up within {timeout} s: {sorted(ends)}")
        return events

    def follow(self, topics: list[str]) -> None:
        """From now on: new records only."""
        self.consumer.subscribe(topics)
        self.consumer.poll(0)

    def poll(self, seconds: float) -> list[Event]:
        """New records decoded for `seconds` (after follow())."""
        events: list[Event] = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            msg = self.consumer.poll(0.2)
            if msg is None:
                continue
            if msg.error():
                raise KafkaException(msg.error())
            events.append(self._event(msg))
        return events

    def close(self) -> None:
        self.consumer.close()


def rebuild(events: list[Event]) -> dict[tuple, dict[str, Any]]:
    """A table as its change events say it is now: reads, creates and updates upsert; deletes and
    tombstones remove. Keyed by the record key's values."""
    rows: dict[tuple, dict[str, Any]] = {}
    for e in events:
        key = tuple(e.key.values()) if e.key else ()
        if e.value is None or e.value["op"] == "d":
            rows.pop(key, None)
        else:
            rows[key] = e.value["after"]
    return rows
