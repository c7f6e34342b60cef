"""The EPCIS view and its standard query on PostgreSQL: each query answers what filtering
every mapped event by hand answers, page by page."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from domain.application import Gongxiao
from infra.demo import load_demo
from infra.views import ReadModels
from projections.epcis.index import epcs_of

pytestmark = pytest.mark.postgres


def by_hand(events: list[dict[str, Any]], roles: set[str], uri: str) -> list[dict[str, Any]]:
    return [e for e in events if any((uri, r) in set(epcs_of(e)) for r in roles)]


@pytest.mark.parametrize("store_env", ["postgres"], indirect=True)
def test_the_standard_query_answers_on_postgres_what_the_events_say(
        app: Gongxiao, views: ReadModels) -> None:
    load_demo(app)
    views.runner(app).catch_up()
    every = views.epcis.events({}, {}, scopes=None, per_page=10_000).events
    assert len(every) > 50
    pack = next(e for e in every if e["bizStep"] == "retail_selling")["epcList"][0]
    lot = next(e for e in every if e["bizStep"] == "receiving" and e["action"] == "ADD")[
        "quantityList"][0]["epcClass"]
    for name, roles, uri in (("MATCH_epc", {"epc", "child"}, pack),
                             ("MATCH_anyEPC", {"epc", "child", "parent", "input", "output"}, pack),
                             ("MATCH_epcClass", {"class", "child_class"}, lot),
                             ("MATCH_anyEPCClass", {"class", "child_class", "input_class",
                                                    "output_class"}, lot)):
        answered = views.epcis.events({name: [uri]}, {}, scopes=None, per_page=100).events
        assert answered == by_hand(every, roles, uri) and answered, name

    middle = datetime.fromisoformat(every[len(every) // 2]["eventTime"])
    later = views.epcis.events({"eventType": ["ObjectEvent"], "EQ_bizStep": ["retail_selling"]},
                               {"GE_eventTime": middle}, scopes=None, per_page=10_000).events
    assert later == [e for e in every if e["bizStep"] == "retail_selling"
                     and datetime.fromisoformat(e["eventTime"]) >= middle]

    pages, after = [], -1
    while True:
        page = views.epcis.events({}, {}, scopes=None, per_page=9, after=after)
        pages += page.events
        if page.next_after is None:
            break
        after = page.next_after
    assert pages == every

    outlet = views.epcis.events({}, {}, scopes=["site:outlet-jinniu"], per_page=10_000).events
    assert outlet and all("outlet-jinniu" in json.dumps(e) or e["bizStep"] in (
        "commissioning", "creating_class_instance", "receiving") for e in outlet)
    assert not any(e["bizStep"] == "sensor_reporting" for e in outlet)
    assert views.epcis.event(every[0]["eventID"], scopes=["farmer:nobody"]) is None
    assert views.epcis.event(every[0]["eventID"], scopes=None) == every[0]


@pytest.mark.parametrize("store_env", ["postgres"], indirect=True)
def test_epc_patterns_match_on_postgres_what_they_say(app: Gongxiao, views: ReadModels) -> None:
    base = {"type": "ObjectEvent", "eventTime": "2026-12-01T08:00:00+08:00",
            "eventTimeZoneOffset": "+08:00", "action": "OBSERVE", "bizStep": "receiving"}
    epcs = ["urn:epc:id:sgtin:0614141.107346.2017", "https://id.gs1.org/01/10614141073464/21/9",
            "urn:epc:id:sgtin:0614141.112345.400", "urn:epc:id:sgtin:0012345.011111.1",
            "https://example.com/id/pack/P1"]
    app.capture_events(captured_by="site:lab", events=[
        {**base, "eventID": f"urn:uuid:{i}", "epcList": [epc]} for i, epc in enumerate(epcs)])
    views.runner(app).catch_up()

    def found(pattern: str) -> list[str]:
        page = views.epcis.events({"MATCH_epc": [pattern]}, {}, scopes=None, per_page=100)
        return [e["epcList"][0] for e in page.events]

    assert found("urn:epc:idpat:sgtin:0614141.107346.*") == epcs[:2]
    assert found("urn:epc:idpat:sgtin:0614141.*.*") == epcs[:3]
    assert found("urn:epc:idpat:sgtin:*.*.*") == epcs[:4]
