"""A recall seen by people: the red banner on the buyer's page, the outlet's pull list scanned,
a recalled pack set aside at a delivery; and the compliance certificate first on a run's label
sheet."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from typing import Any

from PIL import Image

from tests.e2e.conftest import ARTIFACTS, PUBLIC_URL, Served, demo_batch, packs_of
from tests.e2e.test_labels import decoded
from tests.e2e.test_outlet import open_outlet
from tests.e2e.test_station import scan


def a_pack_on_the_shelf(served: Served) -> str:
    for n in (1, 5):
        for pack in reversed(packs_of(served, demo_batch(served, n))):
            if pack["status"] == "at_outlet" and pack["outlet_id"] == "outlet-jinniu":
                return str(pack["pack_code"])
    raise AssertionError("the demo week left no pack on outlet-jinniu's shelf")


def recall_of(served: Served, code: str) -> dict[str, Any]:
    with served.client("admin") as http:
        answer = http.post("/v1/recalls", json={
            "scope": {"kind": "packs", "pack_codes": [code]}, "reason": "标签印错保质期",
            "level": 3}, headers={"Idempotency-Key": f"e2e-recall-{code}"})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_the_buyer_sees_the_recall_and_the_outlet_pulls_the_pack_off_its_list(
        served: Served, page: Any) -> None:
    code = a_pack_on_the_shelf(served)
    recall = recall_of(served, code)

    def told() -> bool:
        with served.client() as http:
            return "recall" in http.get(f"/v1/trace/{code}").json()

    served.wait_for("the trace view to hear of the recall", told)
    page.goto(f"{served.url}/t/{code}")
    banner = page.locator(f"[data-recall='{recall['recall_id']}']")
    banner.wait_for()
    said = banner.inner_text()
    assert "已召回" in said and "标签印错保质期" in said and "请勿食用" in said
    assert banner.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(179, 38, 30)"
    page.screenshot(path=str(ARTIFACTS / "recall-banner.png"), full_page=True)

    open_outlet(page, served)
    page.click("a[href='#recalls']")
    page.locator(".recall-list", has_text=code).wait_for()
    scan(page, "#recalls [name=pack_code]", "NOT-RECALLED-0001")
    page.wait_for_selector("#result.bad >> text=不在下架清单中")
    scan(page, "#recalls [name=pack_code]", code)
    page.wait_for_selector(f"#result.ok >> text=已下架: {code}")
    with served.client("admin") as http:
        now = http.get(f"/v1/recalls/{recall['recall_id']}").json()
    assert now["progress"]["total"]["pulled"] == 1
    assert now["packs"][0]["fate"]["place"] == "outlet-jinniu"


def test_the_label_sheet_begins_with_the_batchs_certificate_and_its_qr_opens_the_batch(
        served: Served, page: Any) -> None:
    packs = packs_of(served, demo_batch(served, 5))
    run_id, batch = packs[0]["run_id"], packs[0]["batch_codes"][0]
    with served.client("operator") as operator:
        sheet = operator.get(f"/v1/packing-runs/{run_id}/labels.svg", timeout=60)
    assert sheet.status_code == 200, sheet.text
    page.set_content(f"<body style='margin:0'>{sheet.text}</body>")
    strip = page.locator("svg").first
    assert "承诺达标合格证" in (strip.text_content() or "")
    box = strip.bounding_box()
    first = page.screenshot(clip={"x": box["x"], "y": box["y"], "width": box["width"],
                                  "height": box["width"] * 40 / 60})
    (ARTIFACTS / "certificate_label.png").write_bytes(first)
    assert decoded(Image.open(BytesIO(first))) == [f"{PUBLIC_URL}/t/{batch}"]  # as the labels
    page.goto(f"{served.url}/t/{batch}")
    certificate = page.locator(f"[data-certificate='{batch}']")
    assert "承诺达标合格证" in certificate.inner_text() and "GB 2763" in certificate.inner_text()


def test_a_delivery_holding_a_recalled_pack_shelves_the_rest_and_names_it_with_its_recall(
        served: Served, page: Any) -> None:
    with served.client("outlet") as outlet:
        order = outlet.post("/v1/orders", json={"outlet_id": "outlet-jinniu", "lines": [
            {"sku": "woshun", "grade": "A", "pack_kg": 2, "packs": 2}]},
            headers={"Idempotency-Key": "e2e-recalled-delivery"}).json()
    codes = order["lines"][0]["reserved_pack_codes"]
    with served.client("operator") as operator:
        trip = operator.post("/v1/shipments", json={
            "order_id": order["order_id"], "pack_codes": codes,
            "departed_at": datetime.now(UTC).isoformat()},
            headers={"Idempotency-Key": "e2e-recalled-delivery"})
    assert trip.status_code == 201, trip.text
    recall = recall_of(served, codes[0])  # found on the road

    open_outlet(page, served)
    page.click("a[href='#orders']")
    row = page.locator("#order-rows tr", has_text=order["order_code"])
    served.wait_for("the shipped order on the outlet's screen", lambda: (
        page.click("#refresh-orders"), page.wait_for_timeout(200), row.locator("button").count())[-1])
    row.locator("button").click()
    for code in codes:
        scan(page, "#delivery [name=pack_code]", code)
    page.click("#delivery button[type=submit]")

    refused = page.locator(f"#delivery-out [data-refused='{codes[0]}']")
    refused.wait_for()
    assert "已召回" in refused.inner_text() and recall["recall_id"][:8] in refused.inner_text()
    assert "已收到: 1" in page.inner_text("#delivery-out")  # the clean pack is on the shelf
    page.screenshot(path=str(ARTIFACTS / "outlet_delivery_recalled.png"), full_page=True)
    with served.client("admin") as http:
        now = http.get(f"/v1/recalls/{recall['recall_id']}").json()
    assert now["progress"]["total"]["pulled"] == 1
    assert now["packs"][0]["fate"]["place"] == "outlet-jinniu"
