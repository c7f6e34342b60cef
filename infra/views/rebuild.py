"""Rebuild a view beside the live one and swap it in; recompute one to report its drift.

Both build shadow tables from the whole log while the live view keeps serving reads and
keeps following the log. The last step runs in one transaction that holds the live view's
tracking row: the shadow catches up to the head, then it either replaces the live tables
(rebuild) or is compared with them at the same position (reconcile) and dropped.
"""

from __future__ import annotations

from typing import Any

from infra.views.db import Database
from infra.views.store import SHADOW, TRACKING, SqlBatch, SqlStore
from projections.base import Projection
from projections.runner import Runner


def rebuild(db: Database, projection: Projection, *, recorder: Any, mapper: Any) -> int:
    """Answers the position the swapped-in view stands at."""
    shadow, runner = _build_shadow(db, projection, recorder=recorder, mapper=mapper)
    name = projection.name
    try:
        with shadow.transaction() as cur:
            SqlBatch(db, cur, "", [name])  # holds the live view's tracking row until commit
            tx = SqlBatch(db, cur, SHADOW, [name])
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
            return tx.positions[name]
    finally:
        shadow.close()


def reconcile(db: Database, projection: Projection, *, recorder: Any, mapper: Any) -> dict[str, Any]:
    """Recompute a view from the log and compare it with the live one, row by row."""
    shadow, runner = _build_shadow(db, projection, recorder=recorder, mapper=mapper)
    name = projection.name
    try:
        with shadow.transaction() as cur:
            live = SqlBatch(db, cur, "", [name])
            head = recorder.max_notification_id() or 0
            runner.drain(live, until=head)
            live.flush()
            fresh = SqlBatch(db, cur, SHADOW, [name])
            runner.drain(fresh, until=head)
            fresh.flush()
            tables = {t.name: _compare(cur, t.name, ", ".join(t.column_names))
                      for t in projection.tables}
            for t in projection.tables:
                cur.execute(f"DROP TABLE {t.name}{SHADOW}")
            cur.execute(db.sql(f"DELETE FROM {TRACKING} WHERE name = ?"), (name + SHADOW,))
    finally:
        shadow.close()
    drift = sum(n["missing"] + n["unexpected"] for n in tables.values())
    return {"projection": name, "position": live.positions[name], "drift": drift, "tables": tables}


def _build_shadow(db: Database, projection: Projection, *, recorder: Any,
                  mapper: Any) -> tuple[SqlStore, Runner]:
    shadow = SqlStore(db, [projection], suffix=SHADOW)
    shadow.setup(fresh=True)
    runner = Runner(recorder=recorder, mapper=mapper, store=shadow, projections=[projection],
                    batch_size=2000)
    runner.catch_up()
    return shadow, runner


def _compare(cur: Any, table: str, cols: str) -> dict[str, int]:
    """Rows the live table lacks (``missing``) and rows it has that the log does not give."""
    counts = {}
    for label, left, right in (("missing", f"{table}{SHADOW}", table),
                               ("unexpected", table, f"{table}{SHADOW}")):
        cur.execute(f"SELECT COUNT(*) FROM (SELECT {cols} FROM {left} "
                    f"EXCEPT SELECT {cols} FROM {right}) AS d")
        counts[label] = int(cur.fetchone()[0])
    return counts
