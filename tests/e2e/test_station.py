"""The operator's scan station in Chromium: scans reach the log and the views, offline or not."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx

from domain.values import short_code
from tests.e2e.conftest import ARTIFACTS, Served

SHANGHAI = ZoneInfo("Asia/Shanghai")


def open_station(page: Any, served: Served, *, lang: str = "") -> None:
    page.goto(f"{served.url}/station" + (f"?lang={lang}" if lang else ""))
    page.fill("#token", served.tokens["operator"])
    page.fill("#site", "yongan")
    page.click("#token-form button")
    page.wait_for_selector("#result.ok")
    page.wait_for_selector("body[data-lists=read]")  # the farmers and products to pick from


def fill_intake(page: Any, *, farmer: str = "f-li", sku: str = "jiuhuang", net_kg: str = "42.5") -> None:
    yesterday = (datetime.now(SHANGHAI) - timedelta(days=1)).strftime("%Y-%m-%dT06:00")
    page.click("a[href='#intake']")
    page.fill("#intake [name=farmer]", farmer)  # a member card's farmer id picks its farmer
    page.fill("#intake [name=product]", sku)
    page.fill("#intake [name=harvested_at]", yesterday)
    page.fill("#intake [name=net_kg]", net_kg)
    page.fill("#intake [name=crates]", "5")
    page.fill("#intake [name=temperature_c]", "3.5")


def scan(page: Any, selector: str, code: str) -> None:
    """What a handheld scanner does: the code into the field, then Enter. Filled into the
    field itself, not typed at whatever has focus, so a loaded machine cannot misdirect it."""
    field = page.locator(selector)
    field.fill(code)
    field.press("Enter")


def received_events(served: Served, batch_code: str) -> list[dict[str, Any]]:
    return [e for e in served.events() if e["event_type"] == "Batch.Received"
            and e["data"].get("batch_code") == batch_code]


def graded_kg(served: Served) -> float:
    with served.client("admin") as http:
        rows = http.get("/v1/stock", params={"site_id": "yongan", "sku": "jiuhuang", "grade": "A"}).json()
    return sum(float(r["graded_kg_unpacked"]) for r in rows)


def test_a_scan_at_the_station_reaches_the_event_log_and_the_stock_view(served: Served, page: Any) -> None:
    code = f"E2E-{uuid4().hex[:8].upper()}"
    open_station(page, served)
    before = graded_kg(served)

    fill_intake(page)
    scan(page, "#intake [name=batch_code]", code)
    page.wait_for_selector(f"#result.ok >> text={code}")
    assert code in page.inner_text("#result") and "在冷库中" in page.inner_text("#result")
    assert len(received_events(served, code)) == 1

    page.click("a[href='#grading']")
    scan(page, "#grading [name=batch_code]", code)
    page.locator("#grading-batch", has_text="42.5").wait_for()  # no eval under the page's policy
    page.fill("#grading [name=A]", "30")
    page.fill("#grading [name=B]", "10")
    page.fill("#grading [name=reject_kg]", "2")
    page.keyboard.press("Enter")
    page.wait_for_selector("#result.ok >> text=分选已记录")

    served.wait_for("the stock view to show the graded kg",
                    lambda: abs(graded_kg(served) - before - 30) < 1e-9)
    page.screenshot(path=str(ARTIFACTS / "station_scan.png"), full_page=True)


def test_an_offline_scan_queues_and_is_sent_once_when_the_network_returns(
        served: Served, page: Any) -> None:
    code = f"E2E-OFF-{uuid4().hex[:6].upper()}"
    open_station(page, served)
    fill_intake(page, farmer="f-yang", sku="woshun", net_kg="61")

    page.context.set_offline(True)
    scan(page, "#intake [name=batch_code]", code)
    page.wait_for_selector("#result.wait")
    assert page.inner_text("#outbox").endswith("1")
    page.screenshot(path=str(ARTIFACTS / "station_offline_queued.png"), full_page=True)
    assert received_events(served, code) == []

    page.context.set_offline(False)
    page.wait_for_selector("#outbox", state="hidden")
    page.wait_for_selector("#result.ok >> text=网络恢复后已发送")
    page.reload()  # a later visit finds nothing left to send
    page.wait_for_timeout(600)
    assert page.locator("#outbox").is_hidden()
    assert len(received_events(served, code)) == 1
    page.screenshot(path=str(ARTIFACTS / "station_offline_synced.png"), full_page=True)


def test_a_scan_whose_answer_was_lost_is_sent_again_and_recorded_once(served: Served, page: Any) -> None:
    """The request reached the server but the answer never came back: the retry, with the same
    Idempotency-Key, answers the first answer and records nothing new."""
    code = f"E2E-LOST-{uuid4().hex[:6].upper()}"
    open_station(page, served)
    fill_intake(page, farmer="f-liu", sku="woshun", net_kg="33")
    keys: list[str] = []

    def lose_the_answer(route: Any) -> None:
        keys.append(route.request.headers["idempotency-key"])
        route.fetch()  # the server records the intake...
        route.abort("connectionreset")  # ...and the station never hears back

    replies: list[Any] = []  # answers that reached the page; lost ones never do
    page.on("response", lambda r: replies.append(r) if r.url.endswith("/v1/batches") else None)
    page.route("**/v1/batches", lose_the_answer)
    scan(page, "#intake [name=batch_code]", code)
    page.wait_for_selector("#result.wait")
    page.unroute("**/v1/batches")  # the outbox may have retried into the lost line meanwhile

    page.wait_for_selector("#result.ok >> text=网络恢复后已发送", timeout=20_000)

    assert len(received_events(served, code)) == 1
    assert len(set(keys)) == 1 and [r.request.headers["idempotency-key"] for r in replies] == keys[:1]
    assert replies[0].status == 201 and replies[0].headers.get("idempotent-replayed") == "true"


def test_a_packing_run_at_the_station_offers_its_labels_to_print(served: Served, page: Any) -> None:
    open_station(page, served)
    page.click("a[href='#packing']")
    page.fill("#packing [name=product]", "woshun")
    page.fill("#packing [name=grade]", "A")
    page.fill("#packing [name=pack_kg]", "2")
    page.fill("#packing [name=count]", "3")

    page.click("#packing button[type=submit]")

    page.wait_for_selector("#result.ok >> text=已包装")
    link = page.locator("#packing-out a", has_text="PDF")
    assert httpx.get(served.url + link.get_attribute("href")).status_code == 401
    with served.client("operator") as operator:  # the views have the run: its sheet is printable
        served.wait_for("the run's labels", lambda: operator.get(link.get_attribute("href")).is_success)
    with page.expect_response(lambda r: "/labels.pdf" in r.url) as sheet, page.expect_popup() as tab:
        link.click()
    assert sheet.value.status == 200 and sheet.value.request.headers["authorization"].startswith("Bearer ")
    tab.value.wait_for_url("blob:**")  # the tab shows the sheet the station fetched with its token
    pdf = bytes(page.evaluate("async (url) => [...new Uint8Array(await (await fetch(url)).arrayBuffer())]",
                              tab.value.url))
    run_id = re.search(r"packing-runs/([^/]+)/", link.get_attribute("href")).group(1)  # type: ignore[union-attr]
    with served.client() as public:  # the sheet begins with the certificate of each batch the
        trace = public.get(f"/v1/trace/{short_code(UUID(run_id))}-0001").json()  # run drew
    certificates = len(trace["sources"])  # not yet shipped: the ones its dispatch will issue
    assert certificates >= 1 and len(re.findall(rb"/Type\s*/Page\b", pdf)) == certificates + 3
    page.screenshot(path=str(ARTIFACTS / "station_packing.png"), full_page=True)


def grade_too_much(page: Any, served: Served, *, lang: str = "") -> None:
    """Scan a 10 kg batch in, then grade 12 kg of it: the API refuses the mass balance."""
    code = f"E2E-REF-{uuid4().hex[:6].upper()}"
    open_station(page, served, lang=lang)
    fill_intake(page, net_kg="10")
    scan(page, "#intake [name=batch_code]", code)
    page.wait_for_selector(f"#result.ok >> text={code}")
    grade(page, code, a_kg="12")
    page.wait_for_selector("#result.bad")


def grade(page: Any, code: str, *, a_kg: str) -> None:
    """Scan a batch at the grading tab and send its grades: ``a_kg`` of A, nothing rejected."""
    page.click("a[href='#grading']")
    scan(page, "#grading [name=batch_code]", code)
    page.wait_for_selector(f"#grading-batch >> text={code}")  # its answer moves the focus
    page.fill("#grading [name=A]", a_kg)
    page.fill("#grading [name=reject_kg]", "0")
    page.keyboard.press("Enter")


def held_batch(served: Served, tag: str) -> tuple[str, dict[str, Any]]:
    """A batch 王建国 harvested yesterday, inside the 7 days of the 吡虫啉 he sprayed at the
    start of the demo week: taken in on hold. Its code and the intake's answer."""
    code = f"E2E-{tag}-{uuid4().hex[:6].upper()}"
    harvested = (datetime.now(SHANGHAI) - timedelta(days=1)).replace(hour=6, minute=0, second=0,
                                                                      microsecond=0)
    with served.client("operator") as http:
        intake = http.post("/v1/batches", json={
            "batch_code": code, "site_id": "yongan", "farmer_id": "f-wang", "sku": "jiuhuang",
            "harvested_at": harvested.isoformat(), "net_kg": 20,
            "scanned_at": datetime.now(SHANGHAI).isoformat()}).json()
    assert intake["status"] == "on_hold"
    return code, intake


def test_a_refused_scan_says_why_in_chinese_with_the_problems_figures(served: Served, page: Any) -> None:
    grade_too_much(page, served)
    said = page.inner_text("#result")
    assert "被拒绝" in said and "超过入库的 10.000 公斤" in said
    assert "taken in" not in said, "the API's English detail is not what the operator reads"
    page.screenshot(path=str(ARTIFACTS / "station_refused.png"), full_page=True)


def test_a_refused_scan_speaks_english_on_the_english_screen(served: Served, page: Any) -> None:
    grade_too_much(page, served, lang="en")
    said = page.inner_text("#result")
    assert "Refused" in said and "(with reject) is more than the 10.000 kg taken in" in said


def test_grading_a_held_batch_says_in_chinese_which_batch_is_held_until_when(
        served: Served, page: Any) -> None:
    code, intake = held_batch(served, "HELD")
    allowed_from = re.findall(r"\d{4}-\d{2}-\d{2}", intake["holds"][0]["detail"])[-1]

    open_station(page, served)
    grade(page, code, a_kg="15")

    page.wait_for_selector("#result.bad")
    said = page.inner_text("#result")
    assert f"批次 {code} 已扣留" in said and f"{allowed_from} 起方可采收" in said
    assert "on hold" not in said and "staff must release" not in said
    page.screenshot(path=str(ARTIFACTS / "station_held.png"), full_page=True)


def test_the_screens_speak_english_with_lang_en(served: Served) -> None:
    for screen, words in (("station", "Scan station"), ("outlet", "Place order"), ("admin", "Recall")):
        answer = httpx.get(f"{served.url}/{screen}", params={"lang": "en"})
        assert answer.status_code == 200 and '<html lang="en">' in answer.text and words in answer.text
        assert "No network: kept on this device" in answer.text  # the script's words, from the catalog
    assert "扫码工作台" in httpx.get(f"{served.url}/station").text
