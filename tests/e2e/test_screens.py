"""Issue 13, tried as each screen's user would: a clerk who clicks twice on a slow network, a
scanner typing into whatever has focus, a buyer typing a code, a farmer reading a statement."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infra.composition import build_application
from infra.settings import Settings
from infra.tokens import Tokens
from tests.e2e.conftest import CONTACT, GONGXIAO, PUBLIC_URL, Served, demo_batch, packs_of
from tests.e2e.test_admin import open_admin
from tests.e2e.test_outlet import catalog_row, open_outlet
from tests.e2e.test_station import scan


def slow_network(page: Any) -> None:
    """Chromium's own throttling: 1.5 s for every answer, as on a poor mobile link."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 1500,
                                                   "downloadThroughput": 50_000,
                                                   "uploadThroughput": 20_000})


def orders_of_jinniu(served: Served) -> list[dict[str, Any]]:
    with served.client("outlet") as http:
        return list(http.get("/v1/orders", params={"outlet_id": "outlet-jinniu", "limit": 500}).json())


def shipped_to_jinniu(served: Served, packs: int) -> tuple[dict[str, Any], str, list[str]]:
    """An order of 莴笋 the cold store has shipped and the outlet has not yet confirmed."""
    with served.client("outlet") as outlet:
        order = outlet.post("/v1/orders", json={"outlet_id": "outlet-jinniu", "lines": [
            {"sku": "woshun", "grade": "A", "pack_kg": 2, "packs": packs}]}).json()
    codes = [c for line in order["lines"] for c in line["reserved_pack_codes"]]
    with served.client("operator") as operator:
        shipment = operator.post("/v1/shipments", json={
            "order_id": order["order_id"], "pack_codes": codes,
            "departed_at": datetime.now(UTC).isoformat(), "vehicle": "川A·冷E2E"}).json()
    return order, shipment["shipment_id"], codes


# ---- 1: one action, one order -----------------------------------------------------------------

def test_a_double_click_on_place_order_on_a_slow_network_places_one_order(
        served: Served, page: Any) -> None:
    open_outlet(page, served)
    before = len(orders_of_jinniu(served))
    catalog_row(page, "莴笋", "2").locator("input").fill("1")
    slow_network(page)

    page.dblclick("#catalog button[type=submit]")
    assert page.locator("#catalog button[type=submit]").is_disabled(), "busy while it sends"

    page.wait_for_selector("#result.ok >> text=订单已提交", timeout=30_000)
    page.wait_for_timeout(3000)  # a second order, had one been sent, has arrived by now
    assert len(orders_of_jinniu(served)) == before + 1


# ---- 3: delivery: focus and scans after "received?" -------------------------------------------

def test_after_received_the_scanner_types_into_the_pack_field_and_nothing_is_missing_by_mistake(
        served: Served, page: Any) -> None:
    order, shipment_id, codes = shipped_to_jinniu(served, 2)
    open_outlet(page, served)
    page.click("a[href='#orders']")
    page.click("#refresh-orders")
    page.locator(f"#order-rows button[data-shipment='{shipment_id}']").click()

    assert page.evaluate("document.activeElement.name") == "pack_code"
    page.keyboard.type(codes[0])  # the handheld scanner types at whatever has focus
    page.keyboard.press("Enter")
    page.locator("#delivery [name=shipment_id]").click()  # the clerk looks at the shipment…
    page.keyboard.type(codes[1])  # …and the next pack is scanned into it
    page.keyboard.press("Enter")

    assert page.input_value("#delivery [name=shipment_id]") == shipment_id
    assert page.inner_text("#arrived").split() == codes
    page.click("#delivery button[type=submit]")
    page.wait_for_selector("#delivery-out >> text=收到")
    with served.client("outlet") as http:
        shipment_order = http.get(f"/v1/orders/{order['order_id']}").json()
    assert "缺少: 0" in page.inner_text("#delivery-out"), page.inner_text("#delivery-out")
    assert shipment_order["status"] == "shipped"


def test_confirming_a_delivery_with_packs_not_scanned_asks_again_before_recording_them_missing(
        served: Served, page: Any) -> None:
    _, shipment_id, codes = shipped_to_jinniu(served, 2)
    open_outlet(page, served)
    page.click("a[href='#orders']")
    page.click("#refresh-orders")
    page.locator(f"#order-rows button[data-shipment='{shipment_id}']").click()
    page.wait_for_selector("#arrived-count >> text=0 / 2")
    scan(page, "#delivery [name=pack_code]", codes[0])

    page.click("#delivery button[type=submit]")

    page.wait_for_selector("#result.wait >> text=还有包装未扫描")
    assert page.inner_text("#delivery-out") == ""  # nothing was sent
    scan(page, "#delivery [name=pack_code]", codes[1])
    page.click("#delivery button[type=submit]")
    page.wait_for_selector("#delivery-out >> text=缺少: 0")


# ---- 5: a pack's own weight on its trace page ------------------------------------------------

def test_a_packs_trace_page_shows_its_own_weight_and_its_batches_not_the_runs_kg(
        served: Served, page: Any) -> None:
    pack = packs_of(served, demo_batch(served, 1))[0]["pack_code"]
    with served.client() as http:
        trace = http.get(f"/v1/trace/{pack}").json()

    page.goto(f"{served.url}/t/{pack}")

    text = page.inner_text("main")
    sources = [s["batch_code"] for s in trace["sources"]]
    assert f"本包净重 {trace['pack_kg']} 公斤" in text and all(code in text for code in sources)
    for source in trace["sources"]:
        assert f"{source['kg']} 公斤" not in text, "what the batch gave the whole run"


# ---- 6: the order's short code ---------------------------------------------------------------

def test_the_outlet_names_an_order_by_its_short_code_never_its_uuid(served: Served, page: Any) -> None:
    open_outlet(page, served)
    page.click("a[href='#orders']")
    page.click("#refresh-orders")
    page.wait_for_selector("#order-rows tr")

    order = orders_of_jinniu(served)[0]
    rows = page.inner_text("#order-rows")
    assert (order.get("order_code") or order["order_id"][:8]) in rows
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", rows), "a full order id on the screen"


# ---- 7 and 16: a dated statement a farmer can read -------------------------------------------

def test_a_dated_statement_names_the_farmer_and_batches_and_shows_deductions_as_negatives(
        served: Served, page: Any) -> None:
    open_admin(page, served, "earnings")
    week_from = served.demo["week_from"]
    page.fill("#earnings [name=farmer_id]", "f-zhang")
    page.fill("#earnings [name=from]", week_from)
    page.fill("#earnings [name=to]", datetime.now(UTC).strftime("%Y-%m-%d"))
    page.click("#earnings button[type=submit]")

    page.wait_for_selector("#statement:not([hidden]) #statement-lines tr")
    head, lines = page.inner_text("#statement-head"), page.inner_text("#statement-lines")
    assert "张德明" in head and "f-zhang" not in head
    assert demo_batch(served, 1) in lines and "韭黄" in lines and "jiuhuang" not in lines
    assert "-330.00" in lines and "-500.00" in lines  # inputs on credit, the payment
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", lines), "an event's ref on the statement"


# ---- 13: recall of a mistyped lot -------------------------------------------------------------

def test_a_recall_of_an_unknown_lot_or_batch_says_unknown_not_zero_packs(served: Served, page: Any) -> None:
    open_admin(page, served, "recall")

    page.fill("#recall [name=input_lot]", "LOT-LQ-0713")
    page.click("#recall button[type=submit]")
    page.wait_for_selector("#result.bad >> text=没有农资批号 LOT-LQ-0713")
    page.fill("#recall [name=input_lot]", "")
    page.fill("#recall [name=batch_code]", "YA2026-NOPE")
    page.click("#recall button[type=submit]")
    page.wait_for_selector("#result.bad >> text=没有批次 YA2026-NOPE")

    assert "涉及包装" not in page.inner_text("#recall-out")


# ---- 14: the API's documentation without internet -------------------------------------------

def test_docs_and_redoc_render_with_no_internet_under_their_policy(served: Served, page: Any) -> None:
    outside: list[str] = []
    page.context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: (
        outside.append(route.request.url), route.abort()))
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)

    page.goto(f"{served.url}/docs")
    page.wait_for_selector(".swagger-ui .info >> text=Gongxiao")
    page.wait_for_selector(".opblock-tag >> text=labels")
    page.goto(f"{served.url}/redoc")
    page.wait_for_selector("redoc h1 >> text=Gongxiao", state="attached")

    # ReDoc's footer logo is an image on its maker's CDN: the policy blocks it, and that is all.
    assert outside == [] and [v for v in violations if "img-src" not in v] == []


# ---- 15: no English, raw statuses or SKU codes in Chinese screens ---------------------------

def test_chinese_screens_show_names_not_skus_ids_or_english(served: Served, page: Any) -> None:
    open_admin(page, served, "recall")
    page.fill("#recall [name=input_lot]", "LOT-LQ-0712")
    page.click("#recall button[type=submit]")
    page.wait_for_selector("#recall-out table tr >> nth=1")
    recall = page.inner_text("#recall-out")
    assert "outlet-" not in recall and "f-chen" not in recall and "陈志强" in recall

    page.goto(f"{served.url}/admin#holds")
    page.wait_for_selector("#held li", state="attached")
    assert not re.search(r"\b(jiuhuang|woshun|suantai|f-wang|pre-harvest)\b", page.inner_text("#held"))

    open_outlet(page, served)
    page.click("a[href='#orders']")
    page.click("#refresh-orders")
    page.wait_for_selector("#order-rows tr")
    assert not re.search(r"\b(jiuhuang|woshun|suantai)\b", page.inner_text("#order-rows"))


def test_a_refusal_the_screen_has_no_words_for_is_said_in_chinese(served: Served, page: Any) -> None:
    open_outlet(page, served)
    page.route("**/v1/orders", lambda route: route.fulfill(
        status=409, content_type="application/problem+json",
        body='{"type": "https://gongxiao.example/problems/something-new", "title": "Conflict", '
             '"status": 409, "detail": "the server says something in English"}'))
    catalog_row(page, "莴笋", "2").locator("input").fill("1")
    page.click("#catalog button[type=submit]")

    page.wait_for_selector("#result.bad")
    said = page.inner_text("#result")
    assert "服务器拒绝" in said and "English" not in said, said


# ---- 19: a start page, and the demo says where to go -----------------------------------------

def test_the_start_page_links_every_screen_and_looks_up_a_typed_code(served: Served, page: Any) -> None:
    page.goto(served.url + "/")

    for screen in ("/station", "/outlet", "/admin", "/farmer", "/docs"):
        assert page.locator(f"a[href^='{screen}']").count() == 1, screen
    page.fill("#code", demo_batch(served, 1).lower())
    page.click("form button")
    page.wait_for_selector("h1 >> text=韭黄")


def test_a_demo_rerun_after_a_hold_was_released_records_nothing_and_prints_urls_and_tokens(
        served: Served, tmp_path: Path) -> None:
    env = {**served.env, "GONGXIAO_VAR_DIR": str(tmp_path)}  # a store of its own
    first = json.loads(subprocess.run([GONGXIAO, "demo"], env=env, capture_output=True,
                                      text=True, timeout=300, check=True).stdout)
    app = build_application(Settings.from_env(env))
    try:  # staff release 王建国's held 韭黄
        app.release_batch(batch_code=first["batches"][2], reason="快检合格", at=datetime.now(UTC))
        released = app.recorder.max_notification_id()
    finally:
        app.close()

    again = subprocess.run([GONGXIAO, "demo"], env=env, capture_output=True, text=True, timeout=300)

    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["events"] == released, "the rerun recorded events"
    for path in ("/station", "/outlet", "/admin", "/farmer", "/docs"):
        assert f"{PUBLIC_URL}{path}" in again.stderr, path
    printed = dict(re.findall(r"/(station|outlet|admin|farmer) .*\n\s+token (\S+)", again.stderr))
    app = build_application(Settings.from_env(env))
    try:
        roles = {screen: Tokens(app.recorder).principal(token) for screen, token in printed.items()}
    finally:
        app.close()
    assert {screen: (p.role, p.scope) for screen, p in roles.items() if p} == {
        "station": ("operator", "yongan"), "outlet": ("outlet", "outlet-jinniu"),
        "admin": ("admin", None), "farmer": ("farmer", "f-zhang")}


# ---- 20: smaller --------------------------------------------------------------------------------

def test_a_lowercase_code_opens_its_trace_page_and_a_wrong_one_offers_a_box_and_contact(
        served: Served, page: Any) -> None:
    pack = packs_of(served, demo_batch(served, 5))[0]["pack_code"]

    answer = page.goto(f"{served.url}/t/{pack.lower()}")
    assert answer.status == 200 and "蒜薹" in page.inner_text("h1")

    answer = page.goto(f"{served.url}/t/{pack[:-1]}X")
    assert answer.status == 404
    assert CONTACT in page.inner_text("main")
    page.fill("#code", pack)
    page.click("form button")
    page.wait_for_selector("h1 >> text=蒜薹")


def test_worker_relay_help_shows_the_options_the_scaling_guide_documents() -> None:
    helped = subprocess.run([GONGXIAO, "worker", "relay", "--help"], capture_output=True, text=True,
                            timeout=60)
    assert helped.returncode == 0
    for option in ("--partitions", "--chunk", "--delivery-timeout-ms", "--topic"):
        assert option in helped.stdout, option


def test_token_create_refuses_a_site_that_does_not_exist(served: Served) -> None:
    refused = subprocess.run([GONGXIAO, "token", "create", "--role", "outlet", "--scope",
                              "outlet-nowhere"], env=served.env, capture_output=True, text=True,
                             timeout=60)
    assert refused.returncode == 2 and "outlet-nowhere" in refused.stderr and not refused.stdout


def test_outlet_quantity_inputs_are_labelled_and_the_online_pill_is_readable(
        served: Served, page: Any) -> None:
    open_outlet(page, served)

    field = page.get_by_role("spinbutton", name=re.compile("订购包数.*莴笋"))
    assert field.count() >= 1
    colours = page.eval_on_selector("#net", "n => [getComputedStyle(n).color, "
                                    "getComputedStyle(n).backgroundColor]")
    assert contrast(*colours) >= 4.5, colours


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast of two opaque rgb() colours."""
    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# ---- beyond: the farmer's own page -----------------------------------------------------------

def open_farmer(page: Any, served: Served, lang: str = "") -> None:
    page.goto(f"{served.url}/farmer" + (f"?lang={lang}" if lang else ""))
    page.fill("#token", served.tokens["farmer"])
    page.fill("#site", "f-zhang")
    page.click("#token-form button")


def test_a_farmer_reads_deliveries_prices_credit_payments_and_balance_in_yuan(
        served: Served, page: Any) -> None:
    with served.client("farmer") as http:
        statement = http.get("/v1/farmers/f-zhang/earnings", params={
            "from": f"{datetime.now(UTC).year}-01-01T00:00:00+08:00"}).json()

    open_farmer(page, served)

    page.wait_for_selector("#deliveries tr >> nth=1")
    assert page.inner_text("#balance") == f"¥{abs(statement['balance_fen']) / 100:.2f}"
    assert "合作社应付给您" in page.inner_text("#balance-words")
    deliveries = page.inner_text("#deliveries")
    assert demo_batch(served, 1) in deliveries and "韭黄" in deliveries
    assert "12.00" in deliveries and "960.00" in deliveries  # 80 kg of A at ¥12.00 a kg
    money = page.inner_text("#money")
    assert "赊购" in money and "-330.00" in money and "-500.00" in money
    assert "复合肥 15-15-15 50kg × 2 · 唐昌农资经营网点" in money  # what was bought, and where
    assert "f-zhang" not in page.inner_text("main")
