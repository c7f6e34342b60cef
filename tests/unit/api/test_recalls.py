"""POST /v1/recalls, its scans and close; refusals of recalled packs as problems/recalled."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from domain.application import Gongxiao
from tests.unit.api.helpers import (
    assert_problem,
    events,
    moment,
    order_body,
    shipped,
    stocked,
    when,
)

Auth = Callable[[str], dict[str, str]]
RECALLED = "https://gongxiao.example/problems/recalled"


def opened(client: TestClient, auth: Auth, scope: dict[str, Any], *, key: str = "recall-1",
           drill: bool = False) -> Any:
    return client.post("/v1/recalls", json={"scope": scope, "reason": "吡虫啉超标", "level": 1,
                                            "drill": drill},
                       headers={**auth("admin"), "Idempotency-Key": key})


def test_open_recall_of_a_batch_blocks_its_packs_and_answers_them(
        client: TestClient, district: Gongxiao, auth: Auth, catch_up: Callable[[], Any]) -> None:
    codes = stocked(district, packs=3)
    catch_up()
    response = opened(client, auth, {"kind": "batch", "batch_code": "B1"})
    assert response.status_code == 201, response.text
    recall = response.json()
    assert [p["pack_code"] for p in recall["packs"]] == codes
    assert recall["level_name"] == "一级" and recall["batch_codes"] == ["B1"]
    assert recall["progress"]["total"]["outstanding"] == 3
    again = opened(client, auth, {"kind": "batch", "batch_code": "B1"})
    assert again.json()["recall_id"] == recall["recall_id"]
    short = client.post("/v1/orders", json=order_body(1), headers=auth("outlet"))
    assert_problem(short, 409, detail="not recalled")


def test_a_recalled_pack_is_refused_on_sale_as_problems_recalled(
        client: TestClient, district: Gongxiao, auth: Auth, catch_up: Callable[[], Any]) -> None:
    codes = stocked(district, packs=2)
    trip = shipped(district, codes)
    district.confirm_delivery(shipment_id=trip["shipment_id"], received_at=when(1, 3),
                              pack_codes=codes)
    catch_up()
    recall = opened(client, auth, {"kind": "packs", "pack_codes": [codes[0]]}).json()
    before = events(district)
    sale = {"outlet_id": "out-a", "pack_code": codes[0], "sold_at": moment(1, 5), "price_fen": 900}
    body = assert_problem(client.post("/v1/sales", json=sale, headers=auth("outlet")), 409)
    assert body["type"] == RECALLED and body["recall_id"] == recall["recall_id"]
    assert events(district) == before


def test_pull_list_scans_and_close(client: TestClient, district: Gongxiao, auth: Auth,
                                   catch_up: Callable[[], Any]) -> None:
    codes = stocked(district, packs=3)
    trip = shipped(district, codes[:2])
    district.confirm_delivery(shipment_id=trip["shipment_id"], received_at=when(1, 3),
                              pack_codes=codes[:2])
    catch_up()
    rid = opened(client, auth, {"kind": "batch", "batch_code": "B1"}).json()["recall_id"]
    catch_up()
    listed = client.get("/v1/recalls", headers=auth("outlet")).json()
    assert [p["pack_code"] for p in listed[0]["to_pull"]] == codes[:2]
    pull = {"outlet_id": "out-a", "pack_code": codes[0], "pulled_at": moment(1, 6)}
    first = client.post(f"/v1/recalls/{rid}/pulls", json=pull, headers=auth("outlet"))
    assert first.status_code == 201 and first.json()["outstanding"] == 2
    assert_problem(client.post(f"/v1/recalls/{rid}/pulls", json=pull, headers=auth("outlet-b")),
                   403)
    assert_problem(client.post(f"/v1/recalls/{rid}/close", json={}, headers=auth("admin")),
                   409, detail="2 of 3 packs")
    quarantine = {"site_id": "yongan", "pack_code": codes[2], "quarantined_at": moment(1, 7)}
    assert client.post(f"/v1/recalls/{rid}/quarantines", json=quarantine,
                       headers=auth("operator")).status_code == 201
    closed = client.post(f"/v1/recalls/{rid}/close", json={"reason": "one pack not found"},
                         headers=auth("admin"))
    assert closed.status_code == 200, closed.text
    assert closed.json()["closed"]["outstanding"] == [codes[1]]
    report = client.get(f"/v1/recalls/{rid}", headers=auth("admin")).json()
    assert report["status"] == "closed" and report["progress"]["total"]["pulled"] == 1


def test_open_recall_of_nothing_found_is_a_conflict_and_records_nothing(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    before = events(district)
    assert_problem(opened(client, auth, {"kind": "batch", "batch_code": "NOPE"}), 409,
                   detail="nothing was found")
    assert events(district) == before


def test_open_recall_with_a_scope_missing_its_fields_is_invalid(
        client: TestClient, district: Gongxiao, auth: Auth) -> None:
    assert_problem(opened(client, auth, {"kind": "excursion", "site_id": "yongan"}), 422,
                   field="scope")
    assert_problem(opened(client, auth, {"kind": "batch", "batch_code": "B1", "run_id": "x"}),
                   422, field="scope")


def test_open_recall_needs_an_admin(client: TestClient, district: Gongxiao, auth: Auth) -> None:
    response = client.post("/v1/recalls", headers=auth("outlet"), json={
        "scope": {"kind": "batch", "batch_code": "B1"}, "reason": "x", "level": 1})
    assert_problem(response, 403)


def test_get_unknown_recall_is_not_found(client: TestClient, district: Gongxiao,
                                         auth: Auth) -> None:
    assert_problem(client.get("/v1/recalls/nope", headers=auth("admin")), 404)


def test_the_trace_of_a_recalled_pack_says_so_but_not_for_a_drill(
        client: TestClient, district: Gongxiao, auth: Auth, catch_up: Callable[[], Any]) -> None:
    codes = stocked(district, packs=2)
    catch_up()
    opened(client, auth, {"kind": "packs", "pack_codes": [codes[0]]})
    opened(client, auth, {"kind": "packs", "pack_codes": [codes[1]]}, key="drill", drill=True)
    catch_up()
    recalled = client.get(f"/v1/trace/{codes[0]}").json()
    assert recalled["recall"]["reason"] == "吡虫啉超标" and recalled["recall"]["what_to_do"]
    assert "recall" not in client.get(f"/v1/trace/{codes[1]}").json()


def test_open_recall_of_a_cold_room_excursion_takes_what_was_in_the_store_then(
        client: TestClient, district: Gongxiao, auth: Auth, catch_up: Callable[[], Any]) -> None:
    codes = stocked(district, packs=2)
    district.log_temperatures(site_id="yongan", room="R1", readings=[
        {"at": when(0, 5), "celsius": Decimal("9.5")}])
    catch_up()
    scope = {"kind": "excursion", "site_id": "yongan", "room": "R1", "start": moment(0, 4.5),
             "end": moment(0, 6)}
    response = opened(client, auth, scope)
    assert response.status_code == 201, response.text
    assert [p["pack_code"] for p in response.json()["packs"]] == codes
    assert response.json()["scope"]["start"] == moment(0, 4.5)


def test_open_recall_of_a_packing_run_takes_its_packs_only(
        client: TestClient, district: Gongxiao, auth: Auth, catch_up: Callable[[], Any]) -> None:
    stocked(district, packs=2)
    other = district.run_packing(site_id="yongan", sku="jiuhuang", grade="A", pack_kg="0.5",
                                 count=1, packed_at=when(0, 5))
    catch_up()
    response = opened(client, auth, {"kind": "packing_run", "run_id": other["run_id"]})
    assert [p["pack_code"] for p in response.json()["packs"]] == other["pack_codes"]
    assert response.json()["batch_codes"] == []


def test_the_buyers_page_of_a_recalled_pack_shows_the_banner_with_reason_and_what_to_do(
        client: TestClient, district: Gongxiao, auth: Auth, catch_up: Callable[[], Any]) -> None:
    codes = stocked(district, packs=1)
    catch_up()
    opened(client, auth, {"kind": "packs", "pack_codes": codes})
    catch_up()
    page = client.get(f"/t/{codes[0]}").text
    assert "已召回" in page and "吡虫啉超标" in page and "请勿食用" in page
    english = client.get(f"/t/{codes[0]}?lang=en").text
    assert "Recalled" in english and "Bring it back to the outlet" in english


def test_the_trace_and_the_buyers_page_show_the_batchs_certificate(
        client: TestClient, district: Gongxiao, catch_up: Callable[[], Any]) -> None:
    codes = stocked(district, packs=1)
    catch_up()
    assert client.get(f"/v1/trace/{codes[0]}").json()["sources"][0]["certificate"] is None
    shipped(district, codes)  # the first dispatch of the batch's packs issues it
    catch_up()
    source = client.get(f"/v1/trace/{codes[0]}").json()["sources"][0]
    assert source["certificate"]["issued_at"] == moment(1, 1)
    assert source["certificate"]["farmer"] == "张**" and source["certificate"]["issuer"] == "永安村冷库"
    assert source["certificate"]["promises"][2] == "residues_within_gb_2763"
    page = client.get(f"/t/{codes[0]}").text
    assert "承诺达标合格证" in page and "GB 2763" in page and "永安村冷库 承诺" in page


def test_recall_events_are_in_the_event_log_the_relay_publishes(
        client: TestClient, district: Gongxiao, auth: Auth, catch_up: Callable[[], Any]) -> None:
    codes = stocked(district, packs=2)
    shipped(district, codes[1:])
    catch_up()
    rid = opened(client, auth, {"kind": "packs", "pack_codes": codes[:1]}).json()["recall_id"]
    client.post(f"/v1/recalls/{rid}/quarantines", headers=auth("operator"), json={
        "site_id": "yongan", "pack_code": codes[0], "quarantined_at": moment(1)})
    log = client.get("/v1/events", params={"limit": 1000}, headers=auth("admin")).json()
    items = log if isinstance(log, list) else log.get("events") or log.get("items")
    kinds = {e["event_type"] for e in items}
    assert {"Recall.Opened", "RecallRegister.Blocked", "Recall.PackAccounted",
            "Certificate.Issued"} <= {k.removeprefix("gongxiao:") for k in kinds}, kinds


def test_packs_sold_before_the_recall_are_listed_with_outlet_and_sale_time(
        client: TestClient, district: Gongxiao, auth: Auth, catch_up: Callable[[], Any]) -> None:
    codes = stocked(district, packs=2)
    trip = shipped(district, codes)
    district.confirm_delivery(shipment_id=trip["shipment_id"], received_at=when(1, 3),
                              pack_codes=codes)
    district.sell_pack(outlet_id="out-a", pack_code=codes[1], sold_at=when(1, 4), price_fen=990)
    catch_up()
    recall = opened(client, auth, {"kind": "batch", "batch_code": "B1"}).json()
    assert recall["sold"] == [{"pack_code": codes[1], "outlet_id": "out-a",
                               "sold_at": moment(1, 4)}]
    assert recall["progress"]["places"][0]["place"] == "out-a"
    assert recall["progress"]["total"]["located"] == 1


def test_the_closing_report_is_a_printable_page_for_staff(
        client: TestClient, district: Gongxiao, auth: Auth, catch_up: Callable[[], Any]) -> None:
    codes = stocked(district, packs=2)
    catch_up()
    rid = opened(client, auth, {"kind": "packs", "pack_codes": codes}).json()["recall_id"]
    client.post(f"/v1/recalls/{rid}/quarantines", headers=auth("operator"), json={
        "site_id": "yongan", "pack_code": codes[0], "quarantined_at": moment(1)})
    client.post(f"/v1/recalls/{rid}/close", json={"reason": "one pack lost"}, headers=auth("admin"))
    page = client.get(f"/v1/recalls/{rid}/report", headers=auth("admin"))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "召回报告" in page.text and "one pack lost" in page.text and codes[1] in page.text
    assert "@media print" in page.text
    assert_problem(client.get(f"/v1/recalls/{rid}/report", headers=auth("outlet")), 403)


def test_widen_adds_what_a_new_scope_reaches_and_blocks_it(
        client: TestClient, district: Gongxiao, auth: Auth, catch_up: Callable[[], Any]) -> None:
    codes = stocked(district, packs=3)
    catch_up()
    rid = opened(client, auth, {"kind": "packs", "pack_codes": codes[:1]}).json()["recall_id"]
    wider = client.post(f"/v1/recalls/{rid}/widen", headers=auth("admin"), json={
        "scope": {"kind": "packs", "pack_codes": codes[:2]}, "reason": "the next pack too"})
    assert wider.status_code == 200, wider.text
    assert wider.json()["progress"]["total"]["affected"] == 2
    assert client.post("/v1/orders", json=order_body(1), headers=auth("outlet")).json()[
        "lines"][0]["reserved_pack_codes"] == [codes[2]]


def test_shipping_a_pack_of_a_batch_in_a_recall_is_refused_naming_it_and_issues_nothing(
        client: TestClient, district: Gongxiao, auth: Auth, catch_up: Callable[[], Any]) -> None:
    stocked(district, packs=2)
    order = client.post("/v1/orders", json=order_body(2), headers=auth("outlet")).json()
    catch_up()
    recall = opened(client, auth, {"kind": "batch", "batch_code": "B1"}).json()
    before = events(district)
    body = {"order_id": order["order_id"], "departed_at": moment(1, 2),
            "pack_codes": order["lines"][0]["reserved_pack_codes"]}
    refused = assert_problem(client.post("/v1/shipments", json=body, headers=auth("operator")),
                             409)
    assert refused["type"] == RECALLED and refused["recall_id"] == recall["recall_id"]
    assert events(district) == before


def test_a_delivery_with_recalled_packs_shelves_the_clean_and_names_the_refused(
        client: TestClient, district: Gongxiao, auth: Auth, catch_up: Callable[[], Any]) -> None:
    codes = stocked(district, packs=3)
    trip = shipped(district, codes)
    catch_up()
    recall = opened(client, auth, {"kind": "packs", "pack_codes": codes[:1]}).json()
    scan = {"received_at": moment(1, 3), "pack_codes": codes}
    url = f"/v1/shipments/{trip['shipment_id']}/delivery"

    answer = client.post(url, json=scan, headers=auth("outlet"))

    assert answer.status_code == 201, answer.text
    assert answer.json() == {"shipment_id": trip["shipment_id"], "received": codes[1:],
                             "missing": [], "unexpected": [], "refused": [
                                 {"pack_code": codes[0], "recall_id": recall["recall_id"]}]}
    now = client.get(f"/v1/recalls/{recall['recall_id']}", headers=auth("admin")).json()
    assert now["packs"][0]["fate"]["fate"] == "pulled"
    assert now["packs"][0]["fate"]["place"] == "out-a"
    assert now["progress"]["total"]["outstanding"] == 0
    before = events(district)
    again = client.post(url, json=scan, headers=auth("outlet"))
    assert again.json() == answer.json() and events(district) == before
    catch_up()
    assert client.get("/v1/recalls", headers=auth("outlet")).json()[0]["to_pull"] == []


def test_a_quarantine_scanned_at_an_outlet_is_refused_and_records_nothing(
        client: TestClient, district: Gongxiao, auth: Auth, catch_up: Callable[[], Any]) -> None:
    codes = stocked(district, packs=1)
    catch_up()
    rid = opened(client, auth, {"kind": "packs", "pack_codes": codes}).json()["recall_id"]
    before = events(district)
    wrong = client.post(f"/v1/recalls/{rid}/quarantines", headers=auth("admin"), json={
        "site_id": "out-a", "pack_code": codes[0], "quarantined_at": moment(1)})
    assert_problem(wrong, 422, detail="not a cold_store")
    assert events(district) == before
