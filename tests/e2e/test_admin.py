"""Co-op staff in Chromium: release a held batch, follow a recalled lot, print a statement."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import ARTIFACTS, Served
from tests.e2e.test_station import held_batch, scan


def open_admin(page: Any, served: Served, tab: str) -> None:
    page.goto(f"{served.url}/admin#{tab}")
    page.fill("#token", served.tokens["admin"])
    page.click("#token-form button")
    page.wait_for_selector("#result.ok")


def test_staff_release_a_held_batch_from_the_list_of_holds(served: Served, page: Any) -> None:
    code, _ = held_batch(served, "HOLD")
    open_admin(page, served, "holds")

    served.wait_for("the held batch in the list", lambda: (
        page.evaluate("document.dispatchEvent(new Event('gx:ready'))"), page.wait_for_timeout(300),
        page.locator("#held li", has_text=code).count())[-1])
    page.locator("#held li", has_text=code).click()
    page.wait_for_selector("#hold-batch >> text=安全间隔期未满")
    page.fill("#holds [name=reason]", "农残快检合格，准予放行")
    page.click("#holds [data-action=release]")

    page.wait_for_selector("#result.ok >> text=已放行")
    with served.client("admin") as http:
        assert http.get(f"/v1/batches/{code}").json()["status"] == "in_storage"
    page.screenshot(path=str(ARTIFACTS / "admin_release.png"), full_page=True)


def test_staff_recall_a_pesticide_lot_and_see_every_packs_place(served: Served, page: Any) -> None:
    open_admin(page, served, "recall")

    page.fill("#recall [name=input_lot]", "LOT-LQ-0712")  # 陈志强's 高效氯氰菊酯 on his 蒜薹
    page.click("#recall button[type=submit]")

    page.wait_for_selector("#recall-out table tr >> nth=1")
    with served.client("admin") as http:
        packs = http.get("/v1/recall", params={"input_lot": "LOT-LQ-0712"}).json()["packs"]
    assert page.locator("#recall-out table tr").count() == len(packs) + 1 > 1
    places = page.inner_text("#recall-out table")
    assert "在门店货架上" in places or "已售出" in places
    page.screenshot(path=str(ARTIFACTS / "admin_recall.png"), full_page=True)


def test_staff_print_a_farmers_statement_of_earnings(served: Served, page: Any) -> None:
    open_admin(page, served, "earnings")

    scan(page, "#earnings [name=farmer_id]", "f-zhang")

    page.wait_for_selector("#statement:not([hidden]) #statement-lines tr")
    sums = page.inner_text("#statement-sums")
    assert "结余（元）" in sums and "已付（元）" in sums and "500.00" in sums  # the demo's payment
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "admin_statement_print.png"), full_page=True)
    assert page.locator("#token-form").is_hidden() and page.locator("#statement").is_visible()
