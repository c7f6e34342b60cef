"""GS1 EPCIS 2.0 over HTTP: the standard query with paging and scopes, one event by id,
capture of partners' documents, and Digital Links resolved to the trace page."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image

from api.main import create_app
from infra.application import StoredGongxiao
from infra.demo import load_demo
from infra.settings import GS1Keys, Limits, Settings
from infra.tokens import Tokens
from infra.views import ReadModels, build_views
from tests.district import graded, packs, seed
from tests.epcis_reference import document, examples, schema, schema_path
from tests.unit.api.conftest import UNLIMITED

Auth = Callable[[str], dict[str, str]]
GX = "http://127.0.0.1:8000/ns/epcis#"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=None, kafka_bootstrap=None, var_dir=tmp_path,
                    epcis_schema=schema_path())


@pytest.fixture
def demo(app: StoredGongxiao, views: ReadModels) -> dict[str, Any]:
    week = load_demo(app)
    views.runner(app).catch_up()
    return week


def query(client: TestClient, auth: Auth, who: str = "admin", **params: Any) -> dict[str, Any]:
    answer = client.get("/epcis/events", params=params, headers=auth(who))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/ld+json")
    assert answer.headers["GS1-EPCIS-Version"] == "2.0.0"
    return answer.json()


def event_list(doc: dict[str, Any]) -> list[dict[str, Any]]:
    assert list(schema().iter_errors(doc)) == []
    return doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def a_sold_pack(client: TestClient, auth: Auth) -> str:
    sold = event_list(query(client, auth, EQ_bizStep="retail_selling", perPage=1))
    return sold[0]["epcList"][0]


def test_match_epc_of_a_pack_answers_its_life_in_order(client: TestClient, auth: Auth,
                                                      demo: dict[str, Any]) -> None:
    pack = a_sold_pack(client, auth)
    events = event_list(query(client, auth, MATCH_epc=pack))
    assert [e["bizStep"] for e in events] == ["shipping", "receiving", "retail_selling"]
    anywhere = event_list(query(client, auth, MATCH_anyEPC=pack))
    assert [e["bizStep"] for e in anywhere] == ["commissioning", "shipping", "receiving",
                                                "retail_selling"]
    assert event_list(query(client, auth, MATCH_outputEPC=pack))[0]["bizStep"] == "commissioning"


def test_match_epc_class_of_a_lot_and_the_other_filters(client: TestClient, auth: Auth,
                                                       demo: dict[str, Any]) -> None:
    batch = f"http://testserver/id/batch/{demo['batches'][0]}".replace(
        "http://testserver", "http://127.0.0.1:8000")
    # its intake, and its certificate (issued when its packs first shipped)
    assert [e["bizStep"] for e in event_list(query(client, auth, MATCH_epcClass=batch))] == [
        "receiving", "inspecting"]
    assert {e["bizStep"] for e in event_list(query(client, auth, MATCH_anyEPCClass=batch))} == {
        "receiving", "inspecting", "creating_class_instance"}
    transformations = event_list(query(client, auth, eventType="TransformationEvent", perPage=100))
    assert transformations and {e["type"] for e in transformations} == {"TransformationEvent"}
    both = event_list(query(client, auth, eventType="TransformationEvent|ObjectEvent", perPage=1000))
    assert len(both) > len(transformations)
    one = transformations[0]
    assert event_list(query(client, auth, EQ_eventID=one["eventID"])) == [one]
    at = one["eventTime"]
    assert all(e["eventTime"] >= at or e["eventTimeZoneOffset"] != "+08:00" for e in
               event_list(query(client, auth, GE_eventTime=at, perPage=1000)))
    before = event_list(query(client, auth, LT_eventTime=at, perPage=1000))
    assert one not in before
    intakes = event_list(query(client, auth, EQ_bizStep="receiving", EQ_disposition="in_progress",
                               EQ_bizLocation="http://127.0.0.1:8000/id/site/yongan"))
    assert intakes and all(e["action"] == "ADD" for e in intakes)
    assert event_list(query(client, auth, EQ_readPoint="http://127.0.0.1:8000/id/site/nowhere")) == []
    assert event_list(query(client, auth, GE_recordTime="2999-01-01T00:00:00Z")) == []


def test_pages_follow_the_link_header_to_the_end(client: TestClient, auth: Auth,
                                                demo: dict[str, Any]) -> None:
    everything = event_list(query(client, auth, perPage=1000))
    seen, url, pages = [], "/epcis/events?perPage=7&EQ_action=OBSERVE", 0
    while url:
        answer = client.get(url, headers=auth("admin"))
        assert answer.status_code == 200
        seen += event_list(answer.json())
        link = answer.headers.get("Link")
        url = link.split(";")[0].strip("<>") if link else ""
        assert not link or link.endswith('rel="next"')
        pages += 1
    observed = [e for e in everything if e.get("action") == "OBSERVE"]
    assert seen == observed and pages == len(observed) // 7 + 1


def test_unknown_parameters_and_bad_values_are_refused_as_epcis_problems(
        client: TestClient, auth: Auth, demo: dict[str, Any]) -> None:
    for params in ({"EQ_colour": "red"}, {"GE_eventTime": "yesterday"},
                   {"nextPageToken": "!!not-ours"}, {"WD_readPoint": "x"}):
        answer = client.get("/epcis/events", params=params, headers=auth("admin"))
        assert answer.status_code == 400, params
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["type"] == "epcisException:QueryParameterException"
    assert client.get("/epcis/events").status_code == 401


def test_a_token_sees_the_events_of_its_own_place_only(client: TestClient, auth: Auth,
                                                      demo: dict[str, Any], app: StoredGongxiao) -> None:
    tokens = Tokens(app.recorder)
    outlet = {"Authorization": f"Bearer {tokens.issue(role='outlet', scope='outlet-jinniu')}"}
    farmer = {"Authorization": f"Bearer {tokens.issue(role='farmer', scope='f-zhang')}"}
    seen = event_list(client.get("/epcis/events?perPage=1000", headers=outlet).json())
    own = [e for e in seen if "outlet-jinniu" in json.dumps(e)]
    assert {e["bizStep"] for e in own} == {"shipping", "receiving", "retail_selling"}
    # what it bought it may trace back: the packing run and the batches behind its packs
    behind = {e["bizStep"] for e in seen if e not in own}
    assert behind and behind <= {"commissioning", "creating_class_instance", "receiving",
                                 "holding", "inspecting"}
    sold = next(e for e in own if e["bizStep"] == "retail_selling")["epcList"][0]
    packed = client.get("/epcis/events", params={"MATCH_outputEPC": sold}, headers=outlet).json()
    assert [e["bizStep"] for e in event_list(packed)] == ["commissioning"]
    mine = event_list(client.get("/epcis/events?perPage=1000", headers=farmer).json())
    everything = event_list(query(client, auth, perPage=1000))
    assert mine and len(mine) < len(everything)
    assert not any(e["bizStep"] == "retail_selling" for e in mine)


def test_one_event_by_its_id(client: TestClient, auth: Auth, demo: dict[str, Any]) -> None:
    one = event_list(query(client, auth, perPage=1))[0]
    answer = client.get(f"/epcis/events/{quote(one['eventID'], safe='')}", headers=auth("admin"))
    assert answer.status_code == 200 and event_list(answer.json()) == [one]
    missing = client.get("/epcis/events/" + quote("ni:///sha-256;00?ver=CBV2.0", safe=""),
                         headers=auth("admin"))
    assert missing.status_code == 404


def capture(client: TestClient, auth: Auth, doc: Any, who: str = "admin") -> Any:
    return client.post("/epcis/capture", content=json.dumps(doc),
                       headers={**auth(who), "Content-Type": "application/ld+json"})


def test_every_example_document_of_gs1_is_captured(client: TestClient, auth: Auth,
                                                   views: ReadModels, app: StoredGongxiao) -> None:
    captured: set[str] = set()
    for name, doc in examples():
        answer = capture(client, auth, doc)
        assert answer.status_code == 202, (name, answer.text)
        job = client.get(answer.headers["Location"], headers=auth("admin"))
        assert job.status_code == 200 and job.json()["success"] is True
        captured |= set(job.json()["eventIDs"])
    views.runner(app).catch_up()
    stored = event_list(query(client, auth, perPage=1000))
    assert {e["eventID"] for e in stored} == captured
    sensor = event_list(query(client, auth, EQ_bizStep="inspecting", perPage=1000))
    assert any("sensorElementList" in e for e in sensor)


def test_a_document_that_breaks_the_schema_is_refused_whole_with_each_error_located(
        client: TestClient, auth: Auth, app: StoredGongxiao) -> None:
    before = app.recorder.max_notification_id()
    good = {"type": "ObjectEvent", "eventTime": "2026-12-01T08:00:00+08:00",
            "eventTimeZoneOffset": "+08:00", "epcList": ["https://x.example/p/1"],
            "action": "OBSERVE", "bizStep": "receiving"}
    broken = [good, {**good, "action": "LOOK"}, {**good, "eventTimeZoneOffset": "8 hours"}]
    answer = capture(client, auth, document(broken, GX))
    assert answer.status_code == 400
    body = answer.json()
    assert body["type"] == "epcisException:ValidationException"
    fields = {e["field"] for e in body["errors"]}
    assert "/epcisBody/eventList/1/action" in fields
    assert "/epcisBody/eventList/2/eventTimeZoneOffset" in fields
    assert app.recorder.max_notification_id() == before
    assert capture(client, auth, "not a document").status_code == 400
    wrong_type = client.post("/epcis/capture", content="x", headers={
        **auth("admin"), "Content-Type": "text/plain"})
    assert wrong_type.status_code == 415


def test_a_resent_document_is_one_capture(client: TestClient, auth: Auth, app: StoredGongxiao) -> None:
    event = {"type": "ObjectEvent", "eventTime": "2026-12-01T08:00:00+08:00",
             "eventTimeZoneOffset": "+08:00", "epcList": ["https://buyer.example/p/1"],
             "action": "OBSERVE", "bizStep": "receiving"}
    first = capture(client, auth, document([event], GX), who="outlet")
    head = app.recorder.max_notification_id()
    again = capture(client, auth, document([event], GX), who="outlet")
    assert (first.status_code, again.status_code) == (202, 202)
    assert first.json()["captureID"] == again.json()["captureID"]
    assert first.json()["eventIDs"][0].startswith("ni:///sha-256;")  # none sent: the hash
    assert app.recorder.max_notification_id() == head
    assert client.get(first.headers["Location"], headers=auth("outlet-b")).status_code == 404


def test_a_round_trip_through_a_second_gongxiao_answers_the_same_events(
        client: TestClient, auth: Auth, demo: dict[str, Any], tmp_path: Path) -> None:
    ours = query(client, auth, perPage=1000)
    other_settings = Settings(database_url=None, kafka_bootstrap=None, var_dir=tmp_path / "other",
                              epcis_schema=schema_path())
    other_app = StoredGongxiao(env=other_settings.event_store_env())
    other_views = build_views(other_settings)
    try:
        other = create_app(other_app, settings=other_settings, views=other_views,
                           limits=UNLIMITED, project=False)
        token = {"Authorization": f"Bearer {Tokens(other_app.recorder).issue(role='admin', scope=None)}"}
        with TestClient(other) as second:
            sent = second.post("/epcis/capture", content=json.dumps(ours),
                               headers={**token, "Content-Type": "application/ld+json"})
            assert sent.status_code == 202, sent.text
            other_views.runner(other_app).catch_up()
            back = second.get("/epcis/events?perPage=1000", headers=token).json()
    finally:
        other_views.close()
        other_app.close()

    def same(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in e.items() if k not in ("recordTime", "@context")} for e in events]

    assert same(event_list(back)) == same(event_list(ours))


def test_a_digital_link_on_a_label_opens_the_trace_page(client: TestClient) -> None:
    answer = client.get("/01/06941234500017/21/QTS-0001", follow_redirects=False)
    assert answer.status_code == 308 and answer.headers["location"] == "/t/QTS-0001"
    assert client.get("/01/06941234500015/21/QTS-0001", follow_redirects=False).status_code == 404


def test_with_gs1_keys_a_label_carries_the_packs_digital_link_that_opens_its_trace(
        tmp_path: Path, app: StoredGongxiao) -> None:
    settings = Settings(database_url=None, kafka_bootstrap=None, var_dir=tmp_path / "gs1",
                        public_url="https://coop.example",
                        gs1=GS1Keys(company_prefix="6941234", gtins={"jiuhuang/A": "6941234500024"}))
    views = build_views(settings)
    try:
        seed(app)
        graded(app, "B1")
        [pack] = packs(app, 1)
        views.runner(app).catch_up()
        api = create_app(app, settings=settings, views=views, limits=UNLIMITED, project=False)
        with TestClient(api) as client:
            label = client.get(f"/v1/packs/{pack}/label.png")
            assert label.status_code == 200
            image = Image.open(BytesIO(label.content)).convert("L")
            link = f"https://coop.example/01/06941234500024/21/{pack}"
            assert [found.text for found in zxingcpp.read_barcodes(image)] == [link]
            opened = client.get(link.removeprefix("https://coop.example"), follow_redirects=False)
            assert opened.headers["location"] == f"/t/{pack}"
            token = {"Authorization": f"Bearer {Tokens(app.recorder).issue(role='admin')}"}
            # a Digital Link on any domain is the same identifier
            packed = client.get("/epcis/events", params={"MATCH_outputEPC": link},
                                headers=token).json()
            assert len(event_list(packed)) == 1
    finally:
        views.close()


def test_a_partners_event_about_our_pack_shows_on_its_trace(client: TestClient, auth: Auth,
                                                           demo: dict[str, Any], views: ReadModels,
                                                           app: StoredGongxiao) -> None:
    pack = a_sold_pack(client, auth)
    lab = {"type": "ObjectEvent", "eventTime": "2026-12-05T10:00:00+08:00",
           "eventTimeZoneOffset": "+08:00", "epcList": [pack], "action": "OBSERVE",
           "bizStep": "inspecting", "disposition": "conformant",
           "sensorElementList": [{"sensorReport": [{
               "type": "MassConcentration", "value": 0.01, "uom": "M1",
               "chemicalSubstance": "https://identifiers.org/inchikey:YWTYJOPNNQFBPC-UHFFFAOYSA-N"}]}]}
    assert capture(client, auth, document([lab], GX), who="outlet").status_code == 202
    views.runner(app).catch_up()
    code = pack.rsplit("/", 1)[-1]
    trace = client.get(f"/v1/trace/{code}").json()
    assert trace["partner_events"] == [{
        "event_type": "ObjectEvent", "biz_step": "inspecting", "disposition": "conformant",
        "event_time": "2026-12-05T10:00:00+08:00", "reports": [{
            "type": "MassConcentration", "value": 0.01, "uom": "M1", "chemicalSubstance":
            "https://identifiers.org/inchikey:YWTYJOPNNQFBPC-UHFFFAOYSA-N"}]}]
    other = client.get(f"/v1/trace/{demo['batches'][0]}").json()
    assert other["partner_events"] == []

    # the buyer's page says it too, in the page's language
    zh, en = (client.get(f"/t/{code}", params={"lang": lang}).text for lang in ("zh", "en"))
    for page, words in ((zh, ["合作方记录", "2026-12-05 10:00", "检验", "合格", "质量浓度",
                              "inchikey:YWTYJOPNNQFBPC-UHFFFAOYSA-N", "0.01 mg/L"]),
                        (en, ["Recorded by partners", "2026-12-05 10:00", "Inspected",
                              "conformant", "Mass concentration", "0.01 mg/L"])):
        section = page[page.index("data-partners"):]
        section = section[:section.index("</section>")]
        assert all(w in section for w in words), section
    assert "Recorded by partners" not in zh and "data-partners" not in client.get(
        f"/t/{demo['batches'][0]}").text


def test_a_document_over_the_capture_limit_is_refused_and_records_nothing(
        client: TestClient, auth: Auth, app: StoredGongxiao, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("api.routes.epcis.CAPTURE_LIMIT", 2)
    before = app.recorder.max_notification_id()
    events = [{"type": "ObjectEvent", "eventTime": f"2026-12-01T08:0{i}:00+08:00",
               "eventTimeZoneOffset": "+08:00", "epcList": [f"https://x.example/p/{i}"],
               "action": "OBSERVE"} for i in range(3)]
    answer = capture(client, auth, document(events, GX))
    assert answer.status_code == 413
    assert answer.json()["type"] == "epcisException:CaptureLimitExceededException"
    assert answer.headers["GS1-EPCIS-Capture-Limit"] == "2"
    assert app.recorder.max_notification_id() == before
    assert capture(client, auth, document(events[:2], GX)).status_code == 202


def test_capture_takes_documents_larger_than_other_requests_may_be(
        app: StoredGongxiao, settings: Settings, views: ReadModels, auth: Auth) -> None:
    """Capture has its own body limit (a 10,000-event document runs to tens of megabytes);
    every other request keeps the small one, and capture refuses a body over its own."""
    limits = Limits(per_token="100000/minute", per_address="100000/minute",
                    max_body_bytes=2_000, capture_body_bytes=20_000)
    events = [{"type": "ObjectEvent", "eventTime": f"2026-12-01T08:{i:02d}:00+08:00",
               "eventTimeZoneOffset": "+08:00", "epcList": [f"https://x.example/p/{i}"],
               "action": "OBSERVE"} for i in range(30)]
    doc = document(events, GX)
    assert 2_000 < len(json.dumps(doc)) < 20_000
    api = create_app(app, settings=settings, views=views, limits=limits, project=False)
    with TestClient(api, raise_server_exceptions=False) as client:
        before = app.recorder.max_notification_id()
        assert client.post("/v1/batches", content=json.dumps(doc), headers={
            **auth("operator"), "Content-Type": "application/json"}).status_code == 413
        assert app.recorder.max_notification_id() == before
        answer = capture(client, auth, doc)
        assert answer.status_code == 202, answer.text
        assert len(answer.json()["newEventIDs"]) == 30
        big = document(events * 10, GX)
        assert len(json.dumps(big)) > 20_000
        after = app.recorder.max_notification_id()
        assert capture(client, auth, big).status_code == 413
        assert app.recorder.max_notification_id() == after


def test_proceed_captures_the_good_events_and_says_why_each_other_was_left_out(
        client: TestClient, auth: Auth, app: StoredGongxiao, views: ReadModels) -> None:
    good = {"type": "ObjectEvent", "eventTime": "2026-12-01T08:00:00+08:00",
            "eventTimeZoneOffset": "+08:00", "action": "OBSERVE", "bizStep": "receiving"}
    events = [{**good, "epcList": ["https://x.example/p/1"], "eventID": "urn:uuid:1"},
              {**good, "epcList": ["https://x.example/p/2"], "action": "LOOK"},
              {**good, "epcList": ["https://x.example/p/3"], "eventTimeZoneOffset": "8 hours"},
              {**good, "epcList": ["https://x.example/p/4"]},
              {**good, "epcList": ["https://x.example/p/5"], "eventID": "urn:uuid:1"}]
    doc = document(events, GX)
    before = app.recorder.max_notification_id()
    assert capture(client, auth, doc).status_code == 400  # rollback, the default
    assert app.recorder.max_notification_id() == before

    answer = client.post("/epcis/capture", content=json.dumps(doc), headers={
        **auth("outlet"), "Content-Type": "application/ld+json",
        "GS1-Capture-Error-Behaviour": "proceed"})
    assert answer.status_code == 202, answer.text
    job = answer.json()
    assert (job["success"], job["captureErrorBehaviour"], job["running"]) == (False, "proceed", False)
    assert len(job["eventIDs"]) == 2 and job["eventIDs"][0] == "urn:uuid:1"
    located = [{f["field"] for f in e["errors"]} for e in job["errors"]]
    assert len(located) == 3
    for fields, where in zip(located, ("/epcisBody/eventList/1/action",
                                       "/epcisBody/eventList/2/eventTimeZoneOffset",
                                       "/epcisBody/eventList/4/eventID"), strict=True):
        event = where.rsplit("/", 1)[0]
        assert where in fields and all(f == event or f.startswith(event + "/") for f in fields)
    assert all(e["type"] == "epcisException:ValidationException" for e in job["errors"])
    assert client.get(answer.headers["Location"], headers=auth("outlet")).json() == job
    views.runner(app).catch_up()
    captured = query(client, auth, "outlet", MATCH_epc="https://x.example/p/1|https://x.example/p/2|"
                     "https://x.example/p/3|https://x.example/p/4|https://x.example/p/5")
    assert [e["epcList"][0] for e in captured["epcisBody"]["queryResults"]["resultsBody"][
        "eventList"]] == ["https://x.example/p/1", "https://x.example/p/4"]

    head = app.recorder.max_notification_id()
    again = client.post("/epcis/capture", content=json.dumps(doc), headers={
        **auth("outlet"), "Content-Type": "application/ld+json",
        "GS1-Capture-Error-Behaviour": "proceed"})
    assert again.json() == job and app.recorder.max_notification_id() == head

    no_context = {k: v for k, v in doc.items() if k != "@context"}
    whole = client.post("/epcis/capture", content=json.dumps(no_context), headers={
        **auth("outlet"), "Content-Type": "application/ld+json",
        "GS1-Capture-Error-Behaviour": "proceed"})
    assert whole.status_code == 400  # the document's own parts: refused whole
    odd = client.post("/epcis/capture", content=json.dumps(doc), headers={
        **auth("outlet"), "Content-Type": "application/ld+json",
        "GS1-Capture-Error-Behaviour": "sometimes"})
    assert odd.status_code == 400
    assert app.recorder.max_notification_id() == head


def test_match_parameters_take_epc_patterns(client: TestClient, auth: Auth, app: StoredGongxiao,
                                            views: ReadModels) -> None:
    base = {"type": "ObjectEvent", "eventTime": "2026-12-01T08:00:00+08:00",
            "eventTimeZoneOffset": "+08:00", "action": "OBSERVE", "bizStep": "receiving"}
    named = {
        "urn": {**base, "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"]},
        "link": {**base, "epcList": ["https://id.gs1.org/01/10614141073464/21/2018"]},
        "other item": {**base, "epcList": ["urn:epc:id:sgtin:0614141.112345.400"]},
        "other company": {**base, "epcList": ["urn:epc:id:sgtin:0012345.011111.1"]},
        "lot": {**base, "epcList": [], "quantityList": [
            {"epcClass": "urn:epc:class:lgtin:0614141.107346.LOT1"}]},
        "pallet": {**base, "epcList": ["urn:epc:id:sscc:0614141.1234567890"]}}
    for name, event in named.items():
        event["eventID"] = f"urn:uuid:{abs(hash(name))}"
    assert capture(client, auth, document(list(named.values()), GX)).status_code == 202
    views.runner(app).catch_up()

    def found(**params: str) -> set[str]:
        events = event_list(query(client, auth, **params))
        return {n for n, e in named.items() for got in events if got["eventID"] == e["eventID"]}

    assert found(MATCH_epc="urn:epc:idpat:sgtin:0614141.107346.*") == {"urn", "link"}
    assert found(MATCH_epc="urn:epc:idpat:sgtin:0614141.*.*") == {"urn", "link", "other item"}
    assert found(MATCH_epc="urn:epc:idpat:sgtin:*.*.*") == {"urn", "link", "other item",
                                                           "other company"}
    assert found(MATCH_epcClass="urn:epc:idpat:sgtin:0614141.107346.*") == {"lot"}
    assert found(MATCH_epcClass="urn:epc:idpat:sgtin:0614141.112345.*") == set()
    assert found(MATCH_anyEPC="urn:epc:idpat:sscc:0614141.*") == {"pallet"}
    assert found(MATCH_epc="urn:epc:idpat:sgtin:0012345.*.*|urn:epc:id:sscc:0614141.1234567890"
                 ) == {"other company", "pallet"}
    assert found(MATCH_epc="urn:epc:id:sgtin:0614141.107346.2017") == {"urn"}  # exact, as before
    for refused in ("urn:epc:idpat:grai:0614141.12345.*", "urn:epc:idpat:sgtin:0614141.*.400",
                    "urn:epc:idpat:sgtin:0614141.1073.*", "urn:epc:idpat:sgtin:[1-2].*.*"):
        answer = client.get("/epcis/events", params={"MATCH_epc": refused}, headers=auth("admin"))
        assert answer.status_code == 400, refused
        assert answer.json()["type"] == "epcisException:QueryParameterException"
