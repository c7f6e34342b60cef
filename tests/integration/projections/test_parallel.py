"""Views caught up and rebuilt in several processes give the views one runner gives."""

from __future__ import annotations

from typing import Any

import pytest

from domain.application import Gongxiao
from infra.views import ReadModels, parallel
from tests.integration.projections.conftest import snapshot, views_settings
from tests.integration.projections.flows import busy_week


def test_views_are_dealt_to_processes_heaviest_apart() -> None:
    names = ["orders", "earnings", "trace", "stock"]
    assert parallel.groups(names, 2) == [["stock"], ["trace", "earnings", "orders"]]
    assert parallel.groups(names, 8) == [["stock"], ["trace"], ["earnings"], ["orders"]]
    assert parallel.groups(names, 1) == [["stock", "trace", "earnings", "orders"]]


def test_the_epcis_view_weighs_as_much_as_the_others_and_gets_a_process_of_its_own() -> None:
    every = ["stock", "earnings", "trace", "orders", "supply", "books", "epcis"]
    assert parallel.groups(every, 2) == [["epcis"], ["books", "stock", "trace", "earnings",
                                                     "orders", "supply"]]
    three = parallel.groups(every, 3)
    assert three[0] == ["epcis"] and sorted(v for g in three for v in g) == sorted(every)
    assert ["new"] in parallel.groups([*every, "new"], 3)  # not weighed: as the heaviest


@pytest.mark.parametrize("store_env", ["postgres"], indirect=True)  # SQLite: one writer at a time
def test_two_processes_catch_up_and_rebuild_the_views_one_runner_would(
        district: Gongxiao, views: ReadModels, store_env: dict[str, str], request: Any) -> None:
    busy_week(district)
    settings, schema = views_settings(store_env, request.getfixturevalue("postgres_url"))
    assert schema is not None
    done = parallel.catch_up(settings, store_env=store_env, schema=schema, names=views.names,
                             processes=2)
    assert done == district.recorder.max_notification_id()
    assert all(r["drift"] == 0 for r in views.reconcile(district))
    caught_up = snapshot(views)
    positions = parallel.rebuild(settings, store_env=store_env, schema=schema,
                                 names=views.names, processes=2)
    assert set(positions.values()) == {district.recorder.max_notification_id()}
    assert snapshot(views) == caught_up
