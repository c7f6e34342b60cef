"""The view store: batches of row changes committed with their tracking positions.

Implements the ``ViewStore`` the runner needs on either database. A batch reads the rows its
events need in one query per table, keeps every change in memory, and writes each changed
row once (upserts, counters summed) just before it moves the tracking positions and
commits. Rebuilds write into shadow tables (``<table>__next``) beside the live ones and swap
them in one short transaction; index names carry a generation so the two never clash.
Events a projection could not take are kept in ``projection_faults``, written in the batch
that moves the projection past them.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from infra.views.db import Database
from projections.base import Key, Need, Projection, Rows
from projections.tables import Table

log = logging.getLogger(__name__)
TRACKING = "projection_tracking"
FAULTS = "projection_faults"
FAULT_COLUMNS = ("name", "position", "topic", "originator_id", "error", "at_us")
SHADOW = "__next"
CHUNK = 400
TYPES = {"int": "BIGINT", "text": "TEXT"}


class SqlStore:
    """Tables of some projections, under a suffix ("" live, ``__next`` while rebuilding)."""

    def __init__(self, db: Database, projections: Sequence[Projection], suffix: str = "") -> None:
        self.db, self.suffix = db, suffix
        self.projections = list(projections)
        self.conn: Any = None

    def connection(self) -> Any:
        if self.conn is None:
            self.conn = self.db.writer()
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def transient(self, error: BaseException) -> bool:
        return self.db.transient(error)

    def setup(self, *, fresh: bool = False) -> None:
        """Create the tracking table and the projections' tables (anew when ``fresh``).

        A view whose stored tables are not those its projection declares (a table added, a
        column added, dropped or renamed: its rows were made by other code) starts again from
        the first event, as if made anew; it fills again while it serves."""
        with self.transaction() as cur:
            self.db.lock_schema(cur)
            cur.execute(f"CREATE TABLE IF NOT EXISTS {TRACKING} (name TEXT PRIMARY KEY, "
                        "position BIGINT NOT NULL, generation BIGINT NOT NULL)")
            cur.execute(f"CREATE TABLE IF NOT EXISTS {FAULTS} (name TEXT NOT NULL, "
                        "position BIGINT NOT NULL, topic TEXT NOT NULL, originator_id TEXT, "
                        "error TEXT NOT NULL, at_us BIGINT NOT NULL, PRIMARY KEY (name, position))")
            existing = self.db.tables(cur)
            for projection in self.projections:
                known = self._generation(cur, projection.name)
                generation = known or 0
                name = projection.name + self.suffix
                anew = fresh or (known is not None and self._reshaped(cur, projection, existing))
                if anew and not fresh:
                    log.warning("view %s: its tables changed shape; it starts again from the "
                                "first event", name)
                if anew:
                    generation += 1
                    for table in (TRACKING, FAULTS):
                        cur.execute(self.db.sql(f"DELETE FROM {table} WHERE name = ?"), (name,))
                cur.execute(self.db.sql(f"INSERT INTO {TRACKING} VALUES (?, 0, ?) "
                                        "ON CONFLICT (name) DO NOTHING"), (name, generation))
                for t in projection.tables:
                    if anew and t.name + self.suffix in existing:
                        cur.execute(f"DROP TABLE {t.name + self.suffix}")
                    if anew or t.name + self.suffix not in existing:
                        self._create(cur, t, generation)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        conn = self.connection()
        try:
            self.db.begin(conn)
            cur = conn.cursor()
            try:
                yield cur
            except BaseException:
                if not self.db.broken(conn):
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except BaseException:
            if self.db.broken(conn):  # the server went away: the next batch connects anew
                self.conn = None
                conn.close()
            raise

    @contextmanager
    def batch(self, names: Sequence[str]) -> Iterator[SqlTransaction]:
        with self.transaction() as cur:
            tx = SqlTransaction(self.db, cur, self.suffix, names)
            yield tx
            tx.flush()

    def positions(self, names: Sequence[str]) -> dict[str, int]:
        marks = ", ".join("?" for _ in names)
        rows = self.db.fetch(f"SELECT name, position FROM {TRACKING} WHERE name IN ({marks})",
                             [n + self.suffix for n in names])
        found = {r["name"]: r["position"] for r in rows}
        return {n: found.get(n + self.suffix, 0) for n in names}

    def faults(self, name: str | None = None) -> list[dict[str, Any]]:
        """The events views could not take (of the view ``name``, or of all), oldest first."""
        where, params = ("WHERE name = ?", [name + self.suffix]) if name else ("", [])
        return self.db.fetch(f"SELECT {', '.join(FAULT_COLUMNS)} FROM {FAULTS} {where} "
                             "ORDER BY position, name", params)

    def fault_counts(self) -> dict[str, int]:
        """How many events each view went on without (a rebuild's are not live yet)."""
        rows = self.db.fetch(f"SELECT name, COUNT(*) AS n FROM {FAULTS} GROUP BY name")
        return {r["name"]: int(r["n"]) for r in rows if not r["name"].endswith(SHADOW)}

    def table(self, t: Table) -> str:
        return t.name + self.suffix

    def _generation(self, cur: Any, name: str) -> int | None:
        """The generation of the view's tables; None for a view never set up here."""
        cur.execute(self.db.sql(f"SELECT generation FROM {TRACKING} WHERE name = ?"), (name,))
        row = cur.fetchone()
        return int(row[0]) if row else None

    def _reshaped(self, cur: Any, projection: Projection, existing: set[str]) -> bool:
        """Whether the stored tables of a view are other than those its projection declares."""
        for t in projection.tables:
            if self.table(t) not in existing:
                return True
            cur.execute(f"SELECT * FROM {self.table(t)} WHERE 1 = 0")
            if tuple(d[0] for d in cur.description) != t.column_names:
                return True
        return False

    def _create(self, cur: Any, t: Table, generation: int) -> None:
        name = t.name + self.suffix
        cols = ", ".join(f"{c} {TYPES[kind]}" for c, kind in t.columns)
        cur.execute(f"CREATE TABLE {name} ({cols}, CONSTRAINT pk_{t.name}_g{generation} "
                    f"PRIMARY KEY ({', '.join(t.key)}))")
        for i, index in enumerate(t.indexes):
            cur.execute(f"CREATE INDEX ix_{t.name}_{i}_g{generation} ON {name} ({', '.join(index)})")


class SqlTransaction:
    """One open write transaction: the ``ViewTransaction`` of the runner, and its ``Rows``."""

    def __init__(self, db: Database, cur: Any, suffix: str, names: Sequence[str]) -> None:
        self.db, self.cur, self.suffix = db, cur, suffix
        self.rows: Rows = self
        marks = ", ".join("?" for _ in names)
        cur.execute(db.sql(f"SELECT name, position FROM {TRACKING} WHERE name IN ({marks}) "
                           f"ORDER BY name{db.lock_rows}"), [n + suffix for n in names])
        found = {r[0]: int(r[1]) for r in cur.fetchall()}
        self.positions = {n: found.get(n + suffix, 0) for n in names}
        self.moved: set[str] = set()
        self.faulted: list[tuple[Any, ...]] = []
        self.cache: dict[str, dict[Key, dict[str, Any] | None]] = defaultdict(dict)
        self.dirty: dict[str, tuple[Table, dict[Key, dict[str, Any]]]] = {}
        self.counts: dict[str, tuple[Table, dict[Key, dict[str, int]]]] = {}

    def get(self, table: Table, key: Key) -> dict[str, Any] | None:
        cached = self.cache[table.name]
        if key not in cached:
            self._load(table, [key])
        return cached[key]

    def put(self, table: Table, row: dict[str, Any]) -> None:
        key = table.key_of(row)
        self.cache[table.name][key] = row
        dirty = self.dirty.get(table.name)
        if dirty is None:
            dirty = self.dirty[table.name] = (table, {})
        dirty[1][key] = row

    def add(self, table: Table, key: Key, deltas: dict[str, int]) -> None:
        sums = self.counts.setdefault(table.name, (table, {}))[1].setdefault(key, {})
        for column, delta in deltas.items():
            sums[column] = sums.get(column, 0) + delta

    def prefetch(self, needs: Iterable[Need]) -> None:
        wanted: dict[str, tuple[Table, set[Key]]] = {}
        for table, key in needs:
            if key not in self.cache[table.name]:
                wanted.setdefault(table.name, (table, set()))[1].add(key)
        for table, keys in wanted.values():
            ordered = sorted(keys, key=repr)
            for i in range(0, len(ordered), CHUNK):
                self._load(table, ordered[i:i + CHUNK])

    def track(self, name: str, position: int) -> None:
        self.positions[name] = position
        self.moved.add(name)

    def fault(self, name: str, position: int, topic: str, originator_id: str | None,
              error: str) -> None:
        """Keep the event at ``position`` as one the view ``name`` could not take."""
        self.faulted.append((name + self.suffix, position, topic, originator_id, error,
                             int(time.time() * 1_000_000)))

    def flush(self) -> None:
        for table, rows in self.dirty.values():
            self.db.write_rows(self.cur, _upsert(table, table.name + self.suffix),
                               [kind for _, kind in table.columns],
                               [tuple(map(r.get, table.column_names)) for r in rows.values()])
        for table, sums in self.counts.values():
            cols = [c for c in table.column_names if c not in table.key]
            kinds = dict(table.columns)
            self.db.write_rows(self.cur, _count(table, table.name + self.suffix, cols),
                               [kinds[c] for c in (*table.key, *cols)],
                               [(*key, *(s.get(c, 0) for c in cols)) for key, s in sums.items()])
        self.cur.executemany(self.db.sql(f"UPDATE {TRACKING} SET position = ? WHERE name = ?"),
                             [(self.positions[n], n + self.suffix) for n in sorted(self.moved)])
        self.cur.executemany(self.db.sql(  # a replayed fault is the same fault: kept once
            f"INSERT INTO {FAULTS} ({', '.join(FAULT_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (name, position) DO NOTHING"),
            [self.db.shown(list(f)) for f in self.faulted])
        self.faulted.clear()
        self.dirty.clear()
        self.counts.clear()
        self.moved.clear()

    def _load(self, table: Table, keys: list[Key]) -> None:
        cols = table.column_names
        if len(table.key) == 1:
            where, params = self.db.one_of(table.key[0], [k[0] for k in keys])
        else:
            one = "(" + ", ".join("?" for _ in table.key) + ")"
            where = f"({', '.join(table.key)}) IN (VALUES {', '.join(one for _ in keys)})"
            params = [v for k in keys for v in k]
        shown = self.db.shown(params)
        self.cur.execute(self.db.sql(f"SELECT {', '.join(cols)} FROM {table.name + self.suffix} "
                                     f"WHERE {where}"), shown)
        found = {}
        for values in self.cur.fetchall():
            row = dict(zip(cols, values, strict=True))
            found[table.key_of(row)] = row
        cached, stored = self.cache[table.name], self.db.stored
        for key in keys:  # the key asked for, as the database keeps it (when not the same)
            cached[key] = found.get(key if shown is params else tuple(map(stored, key)))


def _upsert(table: Table, name: str) -> str:
    cols = table.column_names
    rest = [c for c in cols if c not in table.key]
    action = ("DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in rest)) if rest else "DO NOTHING"
    return (f"INSERT INTO {name} ({', '.join(cols)}) {{}} "
            f"ON CONFLICT ({', '.join(table.key)}) {action}")


def _count(table: Table, name: str, cols: list[str]) -> str:
    allcols = [*table.key, *cols]
    return (f"INSERT INTO {name} ({', '.join(allcols)}) {{}} "
            f"ON CONFLICT ({', '.join(table.key)}) DO UPDATE SET "
            + ", ".join(f"{c} = {name}.{c} + excluded.{c}" for c in cols))
