"""An event a projection cannot take: kept as a fault of that view, everything else applied,
and a rebuild replays it (on the embedded store; PostgreSQL in tests/integration)."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from domain.application import Gongxiao
from infra.settings import Settings
from infra.views import ReadModels, build_views
from infra.views.runner import ProjectionRunner
from tests.district import graded, packs, seed
from tests.integration.projections.conftest import snapshot
from tests.poison import Refusing, position_of


@pytest.fixture(autouse=True)
def week(app: Gongxiao) -> None:
    seed(app)
    graded(app, "B1")
    graded(app, "B2")
    packs(app, 4, key="run-1")


def refusing_runner(app: Gongxiao, views: ReadModels, position: int) -> ProjectionRunner:
    chosen = [Refusing(p, position) if p.name == "stock" else p for p in views.projections.values()]
    return ProjectionRunner(recorder=app.recorder, mapper=app.mapper, store=views.store,
                            projections=chosen, batch_size=50)  # type: ignore[arg-type]


def test_an_event_a_view_cannot_take_is_kept_as_a_fault_and_every_other_event_is_applied(
        app: Gongxiao, views: ReadModels, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    poison = position_of(app, "Stock.LotAdded", 1)
    refusing_runner(app, views, poison).catch_up()
    [logged] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert f"view stock could not take event {poison} (gongxiao:Stock.LotAdded" in logged.message

    head = app.recorder.max_notification_id()
    assert views.store.positions(views.names) == {name: head for name in views.names}
    [fault] = views.faults()
    assert (fault["name"], fault["position"], fault["topic"]) == (
        "stock", poison, "gongxiao:Stock.LotAdded")
    assert fault["error"] == "ValueError: cannot take gongxiao:Stock.LotAdded"
    clean = build_views(Settings(database_url=None, kafka_bootstrap=None, var_dir=tmp_path / "c"))
    try:
        clean.runner(app).catch_up()
        for name in ("earnings", "trace", "orders", "supply", "books"):
            assert snapshot(views, name) == snapshot(clean, name)
        lots, all_lots = (set(snapshot(v, "stock")["stock_lots"]) for v in (views, clean))
        [missing] = all_lots - lots
        assert lots < all_lots and missing[0] == fault["originator_id"], "only its lot is missing"
    finally:
        clean.close()


def test_replaying_past_a_fault_changes_nothing_and_a_rebuild_keeps_it_until_mended(
        app: Gongxiao, views: ReadModels) -> None:
    poison = position_of(app, "Stock.LotAdded", 1)
    refusing_runner(app, views, poison).catch_up()
    once, faults = snapshot(views), views.faults()
    refusing_runner(app, views, poison).catch_up()
    assert (snapshot(views), views.faults()) == (once, faults)

    mended = views.projections["stock"]
    views.projections["stock"] = Refusing(mended, poison)  # type: ignore[assignment]
    assert views.rebuild(app, "stock") == {"stock": app.recorder.max_notification_id()}
    assert snapshot(views) == once, "the rebuilt view still lacks the event, and only it"
    assert [f["position"] for f in views.faults("stock")] == [poison]

    views.projections["stock"] = mended
    views.rebuild(app, "stock")
    assert views.faults() == []
    assert views.reconcile(app, "stock")[0]["drift"] == 0


class Unreachable(Refusing):
    """The views' database fails once while the event at ``position`` is applied."""

    def apply(self, topic: str, event: Any, rows: Any, position: int) -> None:
        if position == self.position:
            self.position = -1
            raise sqlite3.OperationalError("database is locked")
        self.inner.apply(topic, event, rows, position)


def test_a_batch_the_database_fails_is_tried_again_and_never_kept_as_a_fault(
        app: Gongxiao, views: ReadModels) -> None:
    chosen = [Unreachable(p, position_of(app, "Stock.LotAdded")) if p.name == "stock" else p
              for p in views.projections.values()]
    runner = ProjectionRunner(recorder=app.recorder, mapper=app.mapper, store=views.store,
                              projections=chosen)  # type: ignore[arg-type]
    with pytest.raises(sqlite3.OperationalError):
        runner.run_once()
    assert set(views.store.positions(views.names).values()) == {0}, "nothing was applied"
    runner.catch_up()
    head = app.recorder.max_notification_id()
    assert views.store.positions(views.names) == {name: head for name in views.names}
    assert views.faults() == []
