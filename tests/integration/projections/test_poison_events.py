"""Poison events on PostgreSQL: an event stored with a NUL in a text field is shown, an event
a projection cannot take is kept as a fault while the other views reach the head, and a
rebuild over such an event finishes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.application import StoredGongxiao
from infra.settings import Settings
from infra.views import ReadModels, build_views
from infra.views.db import COPY_FROM
from infra.views.runner import ProjectionRunner
from tests.district import at, graded, packs, seed
from tests.poison import Refusing, position_of

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(pg_env: dict[str, str]) -> Iterator[StoredGongxiao]:
    application = seed(StoredGongxiao(env=pg_env))
    yield application
    application.close()


@pytest.fixture
def views(pg_env: dict[str, str], postgres_url: str) -> Iterator[ReadModels]:
    built = build_views(Settings(database_url=postgres_url, kafka_bootstrap=None,
                                 var_dir=Path("var")), schema=pg_env["POSTGRES_SCHEMA"])
    yield built
    built.close()


def test_an_event_with_a_nul_in_its_text_is_shown_and_stops_no_view(app: StoredGongxiao,
                                                                    views: ReadModels) -> None:
    app.register_farmer(farmer_id="li", name="李\x00四", village="永安村")
    app.record_input_application(farmer_id="li", sku="bichonglin", lot="L\x00", crop_sku="jiuhuang",
                                 applied_at=at(-10))
    graded(app, "B1", farmer="li")
    packs(app, 2, key="run-nul")

    views.runner(app).catch_up()

    head = app.recorder.max_notification_id()
    assert views.store.positions(views.names) == {name: head for name in views.names}
    assert views.faults() == []
    recall = views.trace.recall(input_lot="L\x00")
    assert [f["farmer_id"] for f in recall["farmers"]] == ["li"], recall
    assert {r["lot"] for r in views.db.fetch("SELECT lot FROM trace_applications")} == {"L\ufffd"}


def test_many_rows_with_a_nul_in_one_batch_are_shown(app: StoredGongxiao, views: ReadModels,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    """More rows of one table than ``COPY_FROM``: they go in by COPY, not in arrays, in the
    one batch (a failed batch would be run again in halves, each small enough for arrays)."""
    for i in range(COPY_FROM + 10):
        app.register_farmer(farmer_id=f"f{i}", name=f"李\x00{i}", village="永\x00安村")

    views.runner(app).catch_up()

    assert views.faults() == []
    assert "batch failed" not in caplog.text
    names = views.db.fetch("SELECT name, village FROM trace_farmers WHERE farmer_id LIKE ?",
                           ["f%"])
    assert sorted(r["name"] for r in names) == sorted(f"李\ufffd{i}" for i in range(COPY_FROM + 10))
    assert {r["village"] for r in names} == {"永\ufffd安村"}


def test_a_row_keyed_by_a_text_with_a_nul_is_found_by_a_later_batch(app: StoredGongxiao,
                                                                   views: ReadModels) -> None:
    graded(app, "B\x00", a="60")
    views.runner(app).catch_up()
    packs(app, 10, key="run-after")  # each draw reads the lot ("B\x00") the first batch wrote

    views.runner(app).catch_up()

    assert views.faults() == []
    lots = views.db.fetch("SELECT batch_code, left_g FROM stock_lots WHERE grade = 'A'")
    assert [(r["batch_code"], r["left_g"]) for r in lots] == [("B\ufffd", 60_000 - 10 * 500)]


def test_an_event_a_projection_cannot_take_is_a_fault_and_the_other_views_reach_the_head(
        app: StoredGongxiao, views: ReadModels) -> None:
    graded(app, "B1")
    graded(app, "B2")
    packs(app, 3, key="run-1")
    poison = position_of(app, "Stock.Packed")
    chosen: list[Any] = [Refusing(p, poison) if p.name == "stock" else p
                         for p in views.projections.values()]
    ProjectionRunner(recorder=app.recorder, mapper=app.mapper, store=views.store, projections=chosen,
                     batch_size=1000).catch_up()

    head = app.recorder.max_notification_id()
    assert views.store.positions(views.names) == {name: head for name in views.names}
    assert [(f["name"], f["position"]) for f in views.faults()] == [("stock", poison)]
    assert len(views.db.fetch("SELECT pack_code FROM trace_packs")) == 3, "trace took the packs"
    assert views.db.fetch("SELECT pack_code FROM stock_packs") == []


def test_a_rebuild_over_an_event_the_view_cannot_take_finishes_and_keeps_it_as_a_fault(
        app: StoredGongxiao, views: ReadModels) -> None:
    graded(app, "B1")
    packs(app, 3, key="run-1")
    views.runner(app).catch_up()
    poison = position_of(app, "Stock.Packed")
    mended = views.projections["stock"]
    views.projections["stock"] = Refusing(mended, poison)  # type: ignore[assignment]

    assert views.rebuild(app, "stock") == {"stock": app.recorder.max_notification_id()}
    assert [(f["name"], f["position"]) for f in views.faults()] == [("stock", poison)]

    views.projections["stock"] = mended
    views.rebuild(app, "stock")
    assert views.faults() == []
    assert len(views.db.fetch("SELECT pack_code FROM stock_packs")) == 3
