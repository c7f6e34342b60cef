"""Pack-level lineage: a run that takes its batches one after the other traces each pack to the
batches it holds, and a recall of one batch takes only those packs; a mixed run keeps
whole-run lineage."""

from __future__ import annotations

from domain.application import Gongxiao
from infra.views import ReadModels
from tests.district import at, graded, seed


def two_batches(app: Gongxiao) -> None:
    """B1: 2.5 kg of grade A expiring first; B2: 60 kg expiring a day later."""
    seed(app)
    graded(app, "B1", a="2.5")
    graded(app, "B2", day=1)


def run(app: Gongxiao, *, mixed: bool = False) -> list[str]:
    answer = app.run_packing(site_id="yongan", sku="jiuhuang", grade="A", pack_kg="1", count=6,
                             packed_at=at(1, 4), mixed=mixed, key="run-1")
    return list(answer["pack_codes"])


def sources(views: ReadModels, code: str) -> list[str]:
    trace = views.trace.trace(code)
    assert trace is not None
    return [s["batch_code"] for s in trace["sources"]]


def test_each_pack_traces_to_the_batches_it_holds_and_a_recall_takes_only_those(
        app: Gongxiao, views: ReadModels) -> None:
    two_batches(app)
    codes = run(app)  # FEFO: B1's 2.5 kg fill packs 1, 2 and half of 3; B2 the rest
    views.runner(app).catch_up()

    assert [sources(views, c) for c in codes] == [
        ["B1"], ["B1"], ["B1", "B2"], ["B2"], ["B2"], ["B2"]]
    recalled = views.trace.recall(batch_code="B1")["packs"]
    assert [p["pack_code"] for p in recalled] == codes[:3]
    assert [p["batch_codes"] for p in recalled] == [["B1"]] * 3
    assert [p["pack_code"] for p in views.trace.recall(batch_code="B2")["packs"]] == codes[2:]


def test_a_mixed_run_traces_every_pack_to_every_batch_it_drew(
        app: Gongxiao, views: ReadModels) -> None:
    two_batches(app)
    codes = run(app, mixed=True)
    views.runner(app).catch_up()

    assert [sources(views, c) for c in codes] == [["B1", "B2"]] * 6
    assert [p["pack_code"] for p in views.trace.recall(batch_code="B1")["packs"]] == codes
