"""Where the relay has got to in the event log, kept in the event store's own database.

One row per partition of the events topic: the last notification id whose events for that
partition the broker has acknowledged. Keeping it beside the events (same SQLite file, same
PostgreSQL schema) means a restarted relay, on any machine, resumes from the database it
publishes, and relays may split the partitions between them in any way from one run to
the next.
"""

from __future__ import annotations

from collections.abc import Iterable

from eventsourcing.persistence import ApplicationRecorder

from infra.sidetables import SideTables

TABLE = "gongxiao_relay_positions"


class Positions:
    def __init__(self, recorder: ApplicationRecorder, *, topic: str) -> None:
        self.tables, self.topic = SideTables(recorder), topic
        self.table = self.tables.name(TABLE)
        self.tables.create(f"CREATE TABLE IF NOT EXISTS {self.table} (topic TEXT NOT NULL, "
                           "partition INTEGER NOT NULL, position BIGINT NOT NULL, "
                           "PRIMARY KEY (topic, partition))")

    def get(self, partitions: Iterable[int]) -> dict[int, int]:
        """Each partition's position; 0 for one never published to."""
        rows = self.tables.run(f"SELECT partition, position FROM {self.table} WHERE topic = %s",
                               (self.topic,))
        known = {int(row["partition"]): int(row["position"]) for row in rows}
        return {partition: known.get(partition, 0) for partition in partitions}

    def advance(self, partitions: Iterable[int], position: int) -> None:
        """Record that the log up to ``position`` is published for these partitions; a
        position never moves back, so a stale relay cannot undo a newer one's progress."""
        for partition in partitions:
            self.tables.run(f"INSERT INTO {self.table} (topic, partition, position) "
                            "VALUES (%s, %s, %s) ON CONFLICT (topic, partition) DO UPDATE "
                            f"SET position = excluded.position WHERE {TABLE}.position < "
                            "excluded.position", (self.topic, partition, position))
