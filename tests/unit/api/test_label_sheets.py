"""A packing run's label sheet is the cold store's: its operator or an admin. It is drawn once
per process, one drawing at a time, and a full queue answers 503 rather than piling up."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from io import BytesIO
from typing import Any

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image

from api.main import create_app
from domain.application import Gongxiao
from infra import labels
from infra.label_sheets import LabelSheets, SheetsBusy
from infra.labels import Label
from infra.settings import Settings
from infra.views import ReadModels
from tests.district import at, graded
from tests.unit.api.conftest import UNLIMITED
from tests.unit.api.helpers import assert_problem

Auth = Callable[[str], dict[str, str]]


@pytest.fixture
def run(district: Gongxiao, catch_up: Callable[[], Any]) -> dict[str, Any]:
    graded(district, "B-LABELS")
    packed = district.run_packing(site_id="yongan", sku="jiuhuang", grade="A", pack_kg="0.5",
                                  count=3, packed_at=at(0, 4))
    catch_up()
    return packed


@pytest.fixture
def run_id(run: dict[str, Any]) -> str:
    return str(run["run_id"])


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Spy on the PDF drawing: the number of labels of each sheet drawn."""
    calls: list[int] = []
    draw = labels.labels_pdf

    def counted(sheet: Sequence[Label]) -> bytes:
        calls.append(len(sheet))
        return draw(sheet)

    monkeypatch.setattr(labels, "labels_pdf", counted)
    return calls


def test_a_run_sheet_without_a_token_is_401(client: TestClient, run_id: str) -> None:
    for kind in ("pdf", "svg"):
        assert_problem(client.get(f"/v1/packing-runs/{run_id}/labels.{kind}"), 401)


def test_a_run_sheet_is_refused_to_another_cold_stores_operator_and_other_roles(
        client: TestClient, run_id: str, auth: Auth) -> None:
    for who in ("operator-elsewhere", "outlet", "farmer"):
        assert_problem(client.get(f"/v1/packing-runs/{run_id}/labels.pdf", headers=auth(who)), 403)


def test_a_run_sheet_is_drawn_once_and_then_served_as_kept(
        client: TestClient, run_id: str, auth: Auth, drawn: list[int]) -> None:
    first = client.get(f"/v1/packing-runs/{run_id}/labels.pdf", headers=auth("operator"))
    again = client.get(f"/v1/packing-runs/{run_id}/labels.pdf", headers=auth("admin"))

    assert first.status_code == again.status_code == 200
    assert first.content == again.content and first.content.startswith(b"%PDF")
    assert first.headers["cache-control"].startswith("private")
    assert drawn == [1 + 3]  # the batch's certificate, then the three packs


def test_the_svg_strip_of_a_run_lists_its_packs(client: TestClient, run: dict[str, Any],
                                                auth: Auth) -> None:
    answer = client.get(f"/v1/packing-runs/{run['run_id']}/labels.svg", headers=auth("operator"))

    assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    assert all(f">{code}</text>" in answer.text for code in run["pack_codes"])


def test_the_sheet_of_a_run_begins_with_the_certificate_of_its_batch(
        client: TestClient, run: dict[str, Any], auth: Auth) -> None:
    answer = client.get(f"/v1/packing-runs/{run['run_id']}/labels.svg", headers=auth("operator"))

    first = answer.text.index(run["pack_codes"][0])
    assert 0 < answer.text.index("承诺达标合格证") < answer.text.index(">B-LABELS</text>") < first


def test_a_run_that_draws_two_batches_prints_the_certificate_of_each(
        client: TestClient, district: Gongxiao, auth: Auth, catch_up: Callable[[], Any]) -> None:
    graded(district, "B-FIRST", a="1")
    graded(district, "B-SECOND", a="60")
    packed = district.run_packing(site_id="yongan", sku="jiuhuang", grade="A", pack_kg="0.5",
                                  count=6, packed_at=at(0, 4))
    catch_up()

    answer = client.get(f"/v1/packing-runs/{packed['run_id']}/labels.svg", headers=auth("operator"))

    first = answer.text.index(packed["pack_codes"][0])
    assert answer.text.count("承诺达标合格证") == 2
    assert answer.text.index(">B-FIRST</text>") < answer.text.index(">B-SECOND</text>") < first


def test_before_its_packs_ship_the_sheet_prints_the_certificate_their_dispatch_will_issue(
        client: TestClient, run: dict[str, Any], auth: Auth) -> None:
    answer = client.get(f"/v1/packing-runs/{run['run_id']}/labels.svg", headers=auth("operator"))
    english = client.get(f"/v1/packing-runs/{run['run_id']}/labels.svg?lang=en",
                         headers=auth("operator"))

    assert "发货时开具（打印于 " in answer.text and "开具 20" not in answer.text
    assert "Issued at dispatch (printed " in english.text


def test_once_shipped_the_sheet_prints_the_issued_certificate_and_its_date(
        client: TestClient, run: dict[str, Any], auth: Auth, district: Gongxiao,
        catch_up: Callable[[], Any]) -> None:
    order = district.place_order(outlet_id="out-a", placed_at=at(1), lines=[
        {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 3}])
    district.ship(order_id=order["order_id"], pack_codes=run["pack_codes"], departed_at=at(1, 2))
    catch_up()

    answer = client.get(f"/v1/packing-runs/{run['run_id']}/labels.svg", headers=auth("operator"))

    assert "开具 " in answer.text and "发货时开具" not in answer.text


def test_an_unknown_run_is_404_for_a_token_that_could_print_it(client: TestClient, auth: Auth,
                                                               district: Gongxiao) -> None:
    assert_problem(client.get("/v1/packing-runs/no-such-run/labels.pdf", headers=auth("admin")), 404)


def test_one_pack_label_stays_public_like_the_trace_it_points_to(
        client: TestClient, run: dict[str, Any]) -> None:
    answer = client.get(f"/v1/packs/{run['pack_codes'][0]}/label.svg")

    assert answer.status_code == 200 and answer.headers["cache-control"].startswith("public")


def test_requests_for_a_sheet_being_drawn_wait_for_that_one_drawing() -> None:
    sheets, drawings = LabelSheets(), []

    def draw() -> bytes:
        drawings.append(threading.current_thread().name)
        return b"%PDF sheet"

    async def four_at_once() -> list[bytes]:
        return await asyncio.gather(*(sheets.sheet("run-1", draw) for _ in range(4)))

    try:
        assert asyncio.run(four_at_once()) == [b"%PDF sheet"] * 4
    finally:
        sheets.close()
    assert len(drawings) == 1 and drawings[0].startswith("label-sheets")


def test_a_new_sheet_is_refused_with_503_while_the_queue_is_full() -> None:
    sheets, go = LabelSheets(waiting=2), threading.Event()

    def slow() -> bytes:
        assert go.wait(timeout=10)
        return b"sheet"

    async def five_sheets() -> list[bytes | BaseException]:
        asked = [asyncio.create_task(sheets.sheet(f"run-{i}", slow)) for i in range(5)]
        await asyncio.sleep(0)  # every task asks once before any drawing can end
        go.set()
        return await asyncio.gather(*asked, return_exceptions=True)

    try:
        answers = asyncio.run(five_sheets())
    finally:
        sheets.close()
    assert answers[:3] == [b"sheet"] * 3
    assert all(isinstance(a, SheetsBusy) for a in answers[3:])
    busy = answers[3]
    assert isinstance(busy, SheetsBusy) and busy.status == 503 and busy.headers["Retry-After"] == "30"


def test_a_full_queue_answers_503_with_retry_after_over_http(
        client: TestClient, run_id: str, auth: Auth, monkeypatch: pytest.MonkeyPatch) -> None:
    async def busy(*_: Any) -> bytes:
        raise SheetsBusy(4)

    monkeypatch.setattr(client.app.state.label_sheets, "sheet", busy)  # type: ignore[attr-defined]

    answer = client.get(f"/v1/packing-runs/{run_id}/labels.pdf", headers=auth("operator"))
    assert_problem(answer, 503, detail="ask again in 30 s")
    assert answer.headers["retry-after"] == "30"



def test_a_label_without_a_public_address_is_refused_saying_which_setting_is_missing(
        app: Gongxiao, settings: Settings, views: ReadModels, run: dict[str, Any], auth: Auth) -> None:
    unset = create_app(app, settings=replace(settings, public_url=None), views=views,
                       limits=UNLIMITED, project=False)
    with TestClient(unset, raise_server_exceptions=False) as client:
        for address in (f"/v1/packs/{run['pack_codes'][0]}/label.svg",
                        f"/v1/packs/{run['pack_codes'][0]}/label.png",
                        f"/v1/packing-runs/{run['run_id']}/labels.pdf"):
            answer = client.get(address, headers=auth("operator"))
            assert_problem(answer, 503, detail="GONGXIAO_PUBLIC_URL")
            assert answer.json()["type"].endswith("/public-url-unset")


def test_a_labels_qr_points_at_the_public_address_not_the_host_the_printer_used(
        client: TestClient, settings: Settings, run: dict[str, Any]) -> None:
    code = run["pack_codes"][0]

    answer = client.get(f"/v1/packs/{code}/label.png", headers={"Host": "192.168.1.20:8000"})

    assert answer.status_code == 200
    found = zxingcpp.read_barcodes(Image.open(BytesIO(answer.content)).convert("L"))
    assert [f.text for f in found] == [f"{settings.public_url}/t/{code}"]


def test_a_label_says_its_use_by_date_and_the_co_op_in_the_labels_language(
        client: TestClient, run: dict[str, Any]) -> None:
    code = run["pack_codes"][0]
    chinese = client.get(f"/v1/packs/{code}/label.svg").text
    english = client.get(f"/v1/packs/{code}/label.svg", params={"lang": "en"}).text
    trace = client.get(f"/v1/trace/{code}").json()
    use_by = str(trace["expires_at"])[:10]
    assert f">{use_by} 前食用</text>" in chinese and ">供销合作社</text>" in chinese
    assert f">Use by {use_by}</text>" in english and ">Gongxiao co-op</text>" in english
