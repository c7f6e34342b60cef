"""Rebuild a view beside the live one and swap it in; recompute one to report its drift.

Both build shadow tables from the whole log while the live view keeps serving reads and
keeps following the log. The last step runs in one transaction that holds the live view's
tracking row: the shadow catches up to the head, then it either replaces the live tables
(rebuild) or is compared with them at the same position (reconcile) and dropped. An event
the view cannot take is kept as a fault of the shadow (never an end of the rebuild), and the
swap puts the shadow's faults in place of the live view's: a mended view has none left.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from infra.views.db import Database
from infra.views.runner import ProjectionRunner
from infra.views.store import FAULTS, SHADOW, TRACKING, SqlStore, SqlTransaction
from projections.base import Projection

T = TypeVar("T")
LAST_STEP_TRIES = 5


def rebuild(db: Database, projection: Projection, *, recorder: Any, mapper: Any) -> int:
    """Answers the position the swapped-in view stands at."""
    shadow, runner = _build_shadow(db, projection, recorder=recorder, mapper=mapper)
    name = projection.name

    def swap(cur: Any) -> int:
        SqlTransaction(db, cur, "", [name])  # holds the live view's tracking row until commit
        tx = SqlTransaction(db, cur, SHADOW, [name])
        runner.drain(tx)
        tx.flush()
        cur.execute(db.sql(f"SELECT generation FROM {TRACKING} WHERE name = ?"), (name + SHADOW,))
        generation = cur.fetchone()[0]
        for t in projection.tables:
            cur.execute(f"DROP TABLE IF EXISTS {t.name}")
            cur.execute(f"ALTER TABLE {t.name}{SHADOW} RENAME TO {t.name}")
        cur.execute(db.sql(f"UPDATE {TRACKING} SET position = ?, generation = ? WHERE name = ?"),
                    (tx.positions[name], generation, name))
        cur.execute(db.sql(f"DELETE FROM {TRACKING} WHERE name = ?"), (name + SHADOW,))
        cur.execute(db.sql(f"DELETE FROM {FAULTS} WHERE name = ?"), (name,))
        cur.execute(db.sql(f"UPDATE {FAULTS} SET name = ? WHERE name = ?"), (name, name + SHADOW))
        return int(tx.positions[name])

    try:
        return _last_step(shadow, runner, swap)
    finally:
        shadow.close()


def reconcile(db: Database, projection: Projection, *, recorder: Any, mapper: Any) -> dict[str, Any]:
    """Recompute a view from the log and compare it with the live one, row by row."""
    shadow, runner = _build_shadow(db, projection, recorder=recorder, mapper=mapper)
    name = projection.name

    def compare(cur: Any) -> dict[str, Any]:
        live = SqlTransaction(db, cur, "", [name])
        head = recorder.max_notification_id() or 0
        runner.drain(live, until=head)
        live.flush()
        fresh = SqlTransaction(db, cur, SHADOW, [name])
        runner.drain(fresh, until=head)
        fresh.flush()
        tables = {t.name: _compare(cur, t.name, ", ".join(t.column_names))
                  for t in projection.tables}
        for t in projection.tables:
            cur.execute(f"DROP TABLE {t.name}{SHADOW}")
        for table in (TRACKING, FAULTS):
            cur.execute(db.sql(f"DELETE FROM {table} WHERE name = ?"), (name + SHADOW,))
        drift = sum(n["missing"] + n["unexpected"] for n in tables.values())
        return {"projection": name, "position": live.positions[name], "drift": drift,
                "tables": tables}

    try:
        return _last_step(shadow, runner, compare)
    finally:
        shadow.close()


def _build_shadow(db: Database, projection: Projection, *, recorder: Any,
                  mapper: Any) -> tuple[SqlStore, ProjectionRunner]:
    shadow = SqlStore(db, [projection], suffix=SHADOW)
    shadow.setup(fresh=True)
    runner = ProjectionRunner(recorder=recorder, mapper=mapper, store=shadow, projections=[projection],
                              batch_size=2000)
    runner.catch_up()
    return shadow, runner


def _last_step(shadow: SqlStore, runner: ProjectionRunner, step: Callable[[Any], T]) -> T:
    """Run ``step`` in one transaction. An event it cannot take came after the shadow caught
    up: catching up again outside the transaction keeps it as a fault, then ``step`` reruns."""
    tries = 0
    while True:
        try:
            with shadow.transaction() as cur:
                return step(cur)
        except Exception as error:
            tries += 1
            if runner.transient(error) or tries == LAST_STEP_TRIES:
                raise
            runner.catch_up()


def _compare(cur: Any, table: str, cols: str) -> dict[str, int]:
    """Rows the live table lacks (``missing``) and rows it has that the log does not give."""
    counts = {}
    for label, left, right in (("missing", f"{table}{SHADOW}", table),
                               ("unexpected", table, f"{table}{SHADOW}")):
        cur.execute(f"SELECT COUNT(*) FROM (SELECT {cols} FROM {left} "
                    f"EXCEPT SELECT {cols} FROM {right}) AS d")
        counts[label] = int(cur.fetchone()[0])
    return counts
