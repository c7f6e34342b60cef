"""A use case's saves are held back and written together at its end, or not at all."""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import Invalid
from domain.farmer import Farmer
from domain.site import Site
from domain.usecases.store import command
from infra.application import StoredGongxiao
from tests.district import events, seed


class Clumsy(StoredGongxiao):
    @command
    def rename_then_fail(self, *, farmer_id: str) -> None:
        farmer = self.load(Farmer, Farmer.create_id(farmer_id), Invalid("no farmer"))
        farmer.correct_details(name="改名", village=farmer.village, phone=None)
        self.save(farmer)
        raise Invalid("changed my mind")

    @command
    def rename_two(self) -> dict[str, Any]:
        for farmer_id in ("zhang", "wang"):
            farmer = self.load(Farmer, Farmer.create_id(farmer_id), Invalid("no farmer"))
            farmer.correct_details(name=f"{farmer.name}!", village=farmer.village, phone=None)
            self.save(farmer)
        return {"renamed": 2}


def test_a_use_case_refused_after_it_saved_records_nothing() -> None:
    app = seed(Clumsy())
    before = events(app)
    with pytest.raises(Invalid):
        app.rename_then_fail(farmer_id="zhang")
    assert events(app) == before
    assert app.repository.get(Farmer.create_id("zhang")).name == "张德明"


def test_every_save_of_a_use_case_is_written_in_one_transaction() -> None:
    app = seed(Clumsy())
    writes: list[int] = []
    insert = app.recorder.insert_events

    def counted(stored: Any, **kwargs: Any) -> Any:
        writes.append(len(stored))
        return insert(stored, **kwargs)

    app.recorder.insert_events = counted  # type: ignore[method-assign]
    assert app.rename_two() == {"renamed": 2}
    assert writes == [2]


def test_aggregates_read_ahead_are_what_loading_them_one_by_one_answers() -> None:
    app = seed(StoredGongxiao())
    ids = [Farmer.create_id("zhang"), Site.create_id("yongan"), Farmer.create_id("nobody")]
    found = app.repository.get_many(ids)
    assert found[ids[0]].name == "张德明" and found[ids[1]].kind == "cold_store"
    assert found[ids[2]] is None
