"""Where the relay has got to in the event log, kept in the event store's own database.

One row per partition of the events topic: ``position``, the last notification id up to which
the log is published for that partition (acknowledged by the broker), and ``last_event``, the
notification id of the last event published to it — the start of the chain each message
carries (see ``infra.kafka_events.follows``). Keeping them beside the events (same SQLite
file, same PostgreSQL schema) means a restarted relay, on any machine, resumes from the
database it publishes, and relays may split the partitions between them in any way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from eventsourcing.persistence import ApplicationRecorder

from infra.sidetables import SideTables

TABLE = "gongxiao_relay_positions"


class Published(NamedTuple):
    position: int
    last_event: int


class Positions:
    def __init__(self, recorder: ApplicationRecorder, *, topic: str) -> None:
        self.tables, self.topic = SideTables(recorder), topic
        self.table = self.tables.name(TABLE)
        self.tables.create(f"CREATE TABLE IF NOT EXISTS {self.table} (topic TEXT NOT NULL, "
                           "partition INTEGER NOT NULL, position BIGINT NOT NULL, "
                           "last_event BIGINT NOT NULL, PRIMARY KEY (topic, partition))")

    def get(self, partitions: Iterable[int]) -> dict[int, Published]:
        """Each partition's position and last event; 0 and 0 for one never published to."""
        rows = self.tables.run(f"SELECT partition, position, last_event FROM {self.table} "
                               "WHERE topic = %s", (self.topic,))
        known = {int(r["partition"]): Published(int(r["position"]), int(r["last_event"]))
                 for r in rows}
        return {partition: known.get(partition, Published(0, 0)) for partition in partitions}

    def advance(self, position: int, last_events: Mapping[int, int]) -> None:
        """Record that the log up to ``position`` is published for these partitions, the last
        event of each being ``last_events[partition]``; a position never moves back, so a
        stale relay cannot undo a newer one's progress."""
        for partition, last_event in last_events.items():
            self.tables.run(f"INSERT INTO {self.table} (topic, partition, position, last_event) "
                            "VALUES (%s, %s, %s, %s) ON CONFLICT (topic, partition) DO UPDATE "
                            "SET position = excluded.position, last_event = excluded.last_event "
                            f"WHERE {TABLE}.position < excluded.position",
                            (self.topic, partition, position, last_event))
