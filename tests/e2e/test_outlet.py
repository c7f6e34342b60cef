"""An outlet orders from its screen, the station ships it, the outlet confirms what arrived."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.conftest import ARTIFACTS, Served
from tests.e2e.test_station import open_station, scan


def open_outlet(page: Any, served: Served) -> None:
    page.goto(f"{served.url}/outlet")
    page.fill("#token", served.tokens["outlet"])
    page.fill("#site", "outlet-jinniu")
    page.click("#token-form button")
    page.wait_for_selector("#catalog-rows tr >> text=莴笋")


def latest_order(served: Served) -> dict[str, Any]:
    """The outlet's newest order, from the API (the screen shows its short code, not its id)."""
    with served.client("outlet") as http:
        return dict(http.get("/v1/orders", params={"outlet_id": "outlet-jinniu"}).json()[0])


def catalog_row(page: Any, name: str, pack_kg: str) -> Any:
    return page.locator("#catalog-rows tr", has_text=name).filter(
        has=page.locator("td", has_text=pack_kg)).first


def test_an_outlet_order_is_refused_in_words_when_stock_is_short(served: Served, page: Any) -> None:
    open_outlet(page, served)

    catalog_row(page, "莴笋", "2").locator("input").fill("100000")
    page.click("#catalog button[type=submit]")

    page.wait_for_selector("#result.bad")
    said = page.inner_text("#result")
    assert "被拒绝" in said and re.search(r"库存不足：.+只有 \d+ 包可用", said), said
    assert "available" not in said, "the API's English detail is not what the outlet reads"


def test_an_outlet_orders_and_confirms_a_delivery_with_missing_and_unexpected_packs(
        served: Served, page: Any) -> None:
    open_outlet(page, served)
    catalog_row(page, "莴笋", "2").locator("input").fill("2")
    page.click("#catalog button[type=submit]")
    page.wait_for_selector("#result.ok >> text=订单已提交")
    order_id = latest_order(served)["order_id"]
    with served.client("outlet") as http:
        order = http.get(f"/v1/orders/{order_id}").json()
    reserved = [c for line in order["lines"] for c in line["reserved_pack_codes"]]
    assert len(reserved) == 2

    station = page.context.new_page()  # the cold store picks and ships it
    open_station(station, served)
    station.click("a[href='#shipment']")
    scan(station, "#shipment [name=order_id]", order_id)
    # A locator, not wait_for_function: the page's policy forbids the eval that one polls with.
    station.locator("#pick", has_text=re.compile(f"莴笋|{re.escape(reserved[0])}")).wait_for()
    scan(station, "#shipment [name=pack_code]", "NOT-ON-LIST-0001")
    station.wait_for_selector("#result.bad >> text=不在该订单的拣货单上")
    for code in reserved:
        scan(station, "#shipment [name=pack_code]", code)
    station.fill("#shipment [name=vehicle]", "川A·冷E2E")
    station.click("#depart")
    station.wait_for_selector("#result.ok >> text=已发车")
    station.close()

    page.click("a[href='#orders']")
    row = page.locator("#order-rows tr", has_text=order.get("order_code") or order_id[:8])
    served.wait_for("the shipped order on the outlet's screen", lambda: (
        page.click("#refresh-orders"), page.wait_for_timeout(200), row.locator("button").count())[-1])
    row.locator("button").click()
    scan(page, "#delivery [name=pack_code]", reserved[0])
    scan(page, "#delivery [name=pack_code]", "STRAY-0001")
    page.click("#delivery button[type=submit]")
    page.wait_for_selector("#result.wait >> text=还有包装未扫描")  # one pack did not arrive
    page.click("#delivery button[type=submit]")
    page.wait_for_selector("#delivery-out >> text=缺少")
    out = page.inner_text("#delivery-out")
    assert f"缺少: {reserved[1]}" in out and "多出: STRAY-0001" in out
    page.screenshot(path=str(ARTIFACTS / "outlet_delivery.png"), full_page=True)

    page.click("a[href='#sale']")
    page.fill("#sale [name=price]", "12.90")
    scan(page, "#sale [name=pack_code]", reserved[0])
    page.wait_for_selector("#result.ok >> text=销售已记录")
    with served.client() as http:
        trace = served.wait_for("the sale in the trace view", lambda: (
            t := http.get(f"/v1/trace/{reserved[0]}").json()) and t["status"] == "sold" and t)
    assert trace["outlet"]["site_id"] == "outlet-jinniu"
