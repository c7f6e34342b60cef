"""The station as the cold-store floor uses it (issue 13): a keyboard-wedge scanner that types
the code and Enter, a double tap, the network gone, names instead of ids, orders by short code.

A scanner is ``keyboard.type`` at full speed into whatever has the focus, then Enter: unlike
``fill`` it goes where the focus is, which is the point of several of these tests."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from tests.e2e.conftest import ARTIFACTS, Served
from tests.e2e.test_station import fill_intake, open_station, received_events, scan


def wedge(page: Any, code: str) -> None:
    """A keyboard-wedge scanner: the code typed at once into the focused element, then Enter."""
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def new_code(tag: str) -> str:
    return f"E2E-{tag}-{uuid4().hex[:6].upper()}"


def events_of(served: Served, event_type: str, after: int) -> list[dict[str, Any]]:
    return [e for e in served.events(after) if e["event_type"] == event_type]


def last_position(served: Served) -> int:
    found = served.events()
    return int(found[-1]["notification_id"]) if found else 0


# ---- 1: one user action, one Idempotency-Key --------------------------------------------------

def test_a_double_tap_on_pack_makes_one_packing_run(served: Served, page: Any) -> None:
    open_station(page, served)
    page.click("a[href='#packing']")
    page.fill("#packing [name=product]", "莴笋")
    page.click("#packing .picks button")
    page.fill("#packing [name=grade]", "A")
    page.fill("#packing [name=pack_kg]", "1")
    page.fill("#packing [name=count]", "3")
    keys: list[str] = []
    page.on("request", lambda r: keys.append(r.headers["idempotency-key"])
            if r.method == "POST" and r.url.endswith("/v1/packing-runs") else None)
    after = last_position(served)

    page.dblclick("#packing button[type=submit]")
    page.wait_for_selector("#result.ok >> text=已包装")
    page.wait_for_timeout(800)

    assert keys and len(set(keys)) == 1, keys
    packed = events_of(served, "Stock.Packed", after)
    assert len(packed) == 1, packed
    assert len(page.locator("#packing-out p").last.inner_text().split()) == 3


# ---- 2 and 10: answers in their own colour, also after a sync -----------------------------------

def test_an_offline_intake_that_went_on_hold_shows_amber_after_the_sync_and_stays_in_the_log(
        served: Served, page: Any) -> None:
    code = new_code("OFFHOLD")
    open_station(page, served)
    fill_intake(page, farmer="f-wang", sku="jiuhuang", net_kg="20")  # inside 吡虫啉's interval

    page.context.set_offline(True)
    scan(page, "#intake [name=batch_code]", code)
    page.wait_for_selector("#result.wait")
    page.context.set_offline(False)

    page.wait_for_selector("#result.hold", timeout=20_000)
    said = page.inner_text("#result")
    assert code in said and "扣留" in said and "吡虫啉" in said and "bichonglin" not in said
    assert page.locator("#result.ok").count() == 0
    assert page.get_attribute("body", "data-sound") == "hold"
    page.reload()
    line = page.locator("#log li.hold", has_text=code)
    assert line.count() == 1 and "吡虫啉" in line.inner_text()
    assert len(received_events(served, code)) == 1


def test_stored_held_and_refused_each_have_their_colour_and_sound(served: Served, page: Any) -> None:
    open_station(page, served)
    seen: dict[str, tuple[str, str]] = {}
    for kind, farmer, net_kg in (("ok", "f-li", "10"), ("hold", "f-wang", "10"), ("bad", "f-li", "-1")):
        fill_intake(page, farmer=farmer, net_kg=net_kg)
        if kind == "bad":  # past the browser's own check: the server's refusal
            page.locator("#intake [name=net_kg]").evaluate("(f) => f.removeAttribute('min')")
        scan(page, "#intake [name=batch_code]", new_code(kind.upper()))
        page.wait_for_selector(f"#result.{kind}")
        colour = page.locator("#result").evaluate("(n) => getComputedStyle(n).backgroundColor")
        seen[kind] = (colour, page.get_attribute("body", "data-sound") or "")
    assert len({colour for colour, _ in seen.values()}) == 3, seen
    assert [sound for _, sound in seen.values()] == ["ok", "hold", "bad"]
    assert "吡虫啉" in page.inner_text("#log li.hold")
    page.screenshot(path=str(ARTIFACTS / "station_kinds.png"), full_page=True)


# ---- 8: scans replace, and are caught where they land ----------------------------------------------

def test_a_scan_after_the_form_check_stopped_one_replaces_it_and_is_caught_in_another_field(
        served: Served, page: Any) -> None:
    code = new_code("WEDGE")
    open_station(page, served)
    fill_intake(page, farmer="f-li", net_kg="")
    page.click("#intake [name=batch_code]")
    wedge(page, code)  # net kg missing: the browser's check stops it and focuses net kg
    page.wait_for_timeout(300)
    assert received_events(served, code) == []
    assert page.evaluate("document.activeElement.name") == "net_kg"

    page.keyboard.type("12.5", delay=150)  # the operator types the weight by hand, then scans again
    wedge(page, code)

    page.wait_for_selector(f"#result.ok >> text={code}")
    received = received_events(served, code)
    assert len(received) == 1 and float(received[0]["data"]["net_kg"]) == 12.5
    assert [e for e in served.events() if code + code in str(e["data"].get("batch_code"))] == []

    page.click("#intake [name=batch_code]")  # a stale code in the field is replaced, not appended
    page.fill("#intake [name=batch_code]", code)
    page.fill("#intake [name=net_kg]", "7")
    second = new_code("WEDGE2")
    page.focus("#intake [name=batch_code]")
    page.keyboard.press("End")
    wedge(page, second)
    page.wait_for_selector(f"#result.ok >> text={second}")
    assert len(received_events(served, second)) == 1


def test_a_scan_right_after_saving_the_token_is_caught(served: Served, page: Any) -> None:
    code = new_code("AFTERTOKEN")
    open_station(page, served)
    fill_intake(page, farmer="f-li", net_kg="9")
    page.click("#setup summary")
    page.click("#token-form button")  # the focus stays on Save, inside the closed setup
    page.wait_for_selector("#result.ok >> text=令牌")
    wedge(page, code)
    page.wait_for_selector(f"#result.ok >> text={code}")
    assert len(received_events(served, code)) == 1


# ---- 9: farmers and products by what people know of them --------------------------------------

def test_a_farmer_is_picked_by_name_pinyin_phone_tail_or_member_card(served: Served, page: Any) -> None:
    open_station(page, served)
    page.click("a[href='#intake']")
    farmer = "#intake [name=farmer]"
    for typed in ("张德明", "zhangdeming", "zdm", "0001"):
        page.fill(farmer, typed)
        choice = page.locator("#intake .picks button", has_text="张德明")
        assert choice.count() == 1, typed
    choice.click()
    assert page.input_value(farmer) == "张德明（永安村）"
    assert page.input_value("#intake [name=farmer_id]") == "f-zhang"

    page.fill("#intake [name=product]", "韭黄")
    page.click("#intake .picks button:has-text('韭黄')")
    fill_intake_rest(page)
    after = last_position(served)
    page.fill(farmer, "")
    page.focus(farmer)
    wedge(page, "f-chen")  # a member card scanned into the farmer field, the form otherwise ready
    assert page.input_value("#intake [name=farmer_id]") == "f-chen"
    assert page.input_value(farmer) == "陈志强（先锋村）"
    page.wait_for_timeout(500)
    assert events_of(served, "Batch.Received", after) == []  # picking a farmer records nothing
    code = new_code("PICK")
    scan(page, "#intake [name=batch_code]", code)
    page.wait_for_selector(f"#result.ok >> text={code}")
    data = received_events(served, code)[0]["data"]
    assert (data["farmer_id"], data["sku"]) == ("f-chen", "jiuhuang")

    page.fill(farmer, "nobody")  # an unknown name cannot be sent as an id
    page.fill("#intake [name=net_kg]", "5")
    scan(page, "#intake [name=batch_code]", new_code("NOBODY"))
    assert page.evaluate("document.querySelector('#intake [name=farmer]').validity.valid") is False


def fill_intake_rest(page: Any) -> None:
    page.fill("#intake [name=net_kg]", "11")


# ---- 11: grading starts clean ---------------------------------------------------------------

def test_scanning_a_new_batch_at_grading_clears_the_last_batchs_values_and_error(
        served: Served, page: Any) -> None:
    first, second = new_code("GRA"), new_code("GRB")
    open_station(page, served)
    for code in (first, second):
        fill_intake(page, net_kg="10")
        scan(page, "#intake [name=batch_code]", code)
        page.wait_for_selector(f"#result.ok >> text={code}")
    page.click("a[href='#grading']")
    scan(page, "#grading [name=batch_code]", first)
    page.wait_for_selector(f"#grading-batch >> text={first}")
    page.fill("#grading [name=A]", "30")
    page.fill("#grading [name=reject_kg]", "1")
    page.keyboard.press("Enter")
    page.wait_for_selector("#result.bad")

    scan(page, "#grading [name=batch_code]", second)
    page.wait_for_selector(f"#grading-batch >> text={second}")
    assert [page.input_value(f"#grading [name={n}]") for n in ("A", "B", "reject_kg")] == ["", "", ""]
    assert page.locator("#result.bad").count() == 0


# ---- 6: open orders by short code, progress, taking a pack off, a partial load ----------------

def place_order(served: Served, packs: int) -> dict[str, Any]:
    """An order of the outlet for ``packs`` packs of one product the cold store has."""
    with served.client("outlet") as outlet:
        catalog = outlet.get("/v1/catalog", params={"site_id": "yongan"}).json()
        line = next(c for c in catalog if c["packs_available"] >= packs)
        answer = outlet.post("/v1/orders", json={"outlet_id": "outlet-jinniu", "lines": [
            {"sku": line["sku"], "grade": line["grade"], "pack_kg": line["pack_kg"], "packs": packs}]})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_the_station_picks_an_open_order_by_its_short_code_and_warns_before_a_partial_load(
        served: Served, page: Any) -> None:
    order = place_order(served, packs=3)
    code, reserved = order["order_code"], order["lines"][0]["reserved_pack_codes"]
    with served.client("operator") as operator:
        served.wait_for("the order in the orders view", lambda: any(
            o["order_code"] == code for o in operator.get("/v1/orders").json()))
    open_station(page, served)
    page.click("a[href='#shipment']")
    listed = page.locator("#open-orders button", has_text=code)
    listed.wait_for()
    assert "待拣 3 / 3 包" in listed.inner_text()
    listed.click()
    page.wait_for_selector(f"#pick >> text={code}")
    assert "已拣 0 / 3 包" in page.inner_text("#progress")

    for pack in reserved[:2]:
        wedge(page, pack)
    wedge(page, "NOT-A-PACK-OF-THIS-ORDER")
    page.wait_for_selector("#result.bad")
    assert "已拣 2 / 3 包" in page.inner_text("#progress")
    page.click(f"#loaded button[aria-label$='{reserved[1]}']")  # the wrong one comes off again
    assert "已拣 1 / 3 包" in page.inner_text("#progress")

    dialogs: list[str] = []
    page.once("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.click("#depart")
    page.wait_for_timeout(500)
    assert dialogs and "3" in dialogs[0] and "1" in dialogs[0]
    with served.client("operator") as operator:
        assert operator.get(f"/v1/orders/{code}").json()["shipment_ids"] == []

    page.once("dialog", lambda d: d.accept())
    page.click("#depart")
    page.wait_for_selector(f"#result.ok >> text={code}")
    with served.client("operator") as operator:
        after = operator.get(f"/v1/orders/{code}").json()
    assert after["status"] == "partially_shipped" and len(after["shipment_ids"]) == 1
    shipped = [e["data"]["pack_codes"] for e in served.events() if e["event_type"] == "Order.Shipped"
               and e["aggregate_id"] == order["order_id"]]
    assert shipped == [[reserved[0]]]
    left = page.locator("#open-orders button", has_text=code)  # what is left to pick
    left.wait_for()
    assert "待拣 2 / 3 包" in left.inner_text()
    left.click()
    page.wait_for_selector("#progress >> text=已拣 0 / 2 包")
    page.screenshot(path=str(ARTIFACTS / "station_shipment.png"), full_page=True)


# ---- 12: the station reopens offline, with its log --------------------------------------------

def test_the_station_reopens_offline_with_its_log_of_refused_scans(served: Served, page: Any) -> None:
    open_station(page, served)
    page.wait_for_selector("body[data-offline=ready]")
    page.click("a[href='#grading']")
    scan(page, "#grading [name=batch_code]", "NO-SUCH-BATCH-1")
    page.wait_for_selector("#grading-batch >> text=NO-SUCH-BATCH-1")  # its answer moves the focus
    page.fill("#grading [name=reject_kg]", "0")
    page.keyboard.press("Enter")
    page.wait_for_selector("#result.bad")

    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("#grading [name=batch_code]")  # the tab it was on
    assert "扫码工作台" in page.title()
    assert page.locator("#log li.bad", has_text="NO-SUCH-BATCH-1").count() >= 1
    assert page.inner_text("#net") == "离线"
    fill_intake(page, farmer="f-li", net_kg="8")  # the lists kept on the device still pick
    assert page.input_value("#intake [name=farmer_id]") == "f-li"
    code = new_code("REOPEN")
    scan(page, "#intake [name=batch_code]", code)
    page.wait_for_selector("#result.wait")
    page.context.set_offline(False)
    page.wait_for_selector(f"#result.ok >> text={code}", timeout=20_000)
    assert len(received_events(served, code)) == 1


# ---- 18: a wrong intake weight corrected, and 销毁 asks first ---------------------------------

def test_a_wrong_intake_weight_is_corrected_at_grading_and_grading_follows(
        served: Served, page: Any) -> None:
    code = new_code("CORR")
    open_station(page, served)
    fill_intake(page, net_kg="5")  # 50 kg on the scale, 5 typed
    scan(page, "#intake [name=batch_code]", code)
    page.wait_for_selector(f"#result.ok >> text={code}")
    page.click("a[href='#grading']")
    scan(page, "#grading [name=batch_code]", code)
    page.wait_for_selector(f"#grading-batch >> text={code}")
    page.fill("#grading [name=A]", "40")
    page.fill("#grading [name=reject_kg]", "2")
    page.keyboard.press("Enter")
    page.wait_for_selector("#result.bad >> text=超过入库的 5.000 公斤")

    page.click("#correct-intake summary")
    page.fill("#grading [name=corrected_kg]", "50")
    page.fill("#grading [name=correction_reason]", "磅秤读数录错")
    page.click("#correct")
    page.wait_for_selector("#result.ok >> text=入库重量现为 50")
    # the batch's line is read again after the answer is shown: wait for it, do not race it
    page.wait_for_selector(f"#grading-batch >> text={code} · 韭黄 · 50 公斤")
    page.fill("#grading [name=A]", "40")
    page.fill("#grading [name=reject_kg]", "2")
    page.click("#grading button[type=submit]")
    page.wait_for_selector("#result.ok >> text=分选已记录")
    corrected = [e for e in served.events() if e["event_type"] == "Batch.NetKgCorrected"
                 and e["data"]["reason"] == "磅秤读数录错"]
    assert len(corrected) == 1 and float(corrected[0]["data"]["net_kg"]) == 50


def test_destroying_a_batch_asks_for_confirmation_first(served: Served, page: Any) -> None:
    from tests.e2e.test_station import held_batch

    code, _ = held_batch(served, "DESTROY")
    page.goto(f"{served.url}/admin")
    page.fill("#token", served.tokens["admin"])
    page.click("#token-form button")
    page.wait_for_selector("#result.ok")
    scan(page, "#holds [name=batch_code]", code)
    page.fill("#holds [name=reason]", "农药残留超标")
    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.click("#holds [data-action=destroy]")
    page.wait_for_timeout(500)
    assert asked and code in asked[0] and "销毁" in asked[0]
    destroyed = [e for e in served.events() if e["event_type"] == "Batch.Destroyed"]
    assert not [e for e in destroyed if e["data"].get("reason") == "农药残留超标"]


# ---- 17: a run's labels printed again --------------------------------------------------------

def test_a_runs_labels_are_printed_again_from_the_station_after_a_reload(
        served: Served, page: Any) -> None:
    open_station(page, served)
    page.click("a[href='#packing']")
    page.fill("#packing [name=product]", "woshun")
    page.fill("#packing [name=grade]", "A")
    page.fill("#packing [name=pack_kg]", "2")
    page.fill("#packing [name=count]", "2")
    page.click("#packing button[type=submit]")
    page.wait_for_selector("#result.ok >> text=已包装")
    page.reload()
    link = page.locator("#runs li", has_text="莴笋").first.locator("a", has_text="PDF")
    href = link.get_attribute("href")
    assert href and href.endswith("/labels.pdf")
    with served.client("operator") as operator:  # the views have the run: its sheet is printable
        served.wait_for("the run's labels", lambda: operator.get(href).is_success)
    with page.expect_response(lambda r: "/labels.pdf" in r.url) as sheet, page.expect_popup():
        link.click()
    assert sheet.value.status == 200


# ---- screenshots: zh-CN and English, phone and desktop, every tab -------------------------------

def test_screenshots_of_the_station_in_both_languages_on_a_phone_and_a_desktop(
        served: Served, browser: Any) -> None:
    """Not a check of looks: the pictures in tests/e2e/artifacts/ are for people to look at.
    What is checked is that no tab shows an internal id or English inside the Chinese screen."""
    ARTIFACTS.mkdir(exist_ok=True)
    place_order(served, packs=1)
    for lang, locale in (("", "zh-CN"), ("en", "en-US")):
        for device, viewport in (("phone", {"width": 412, "height": 900}),
                                 ("desktop", {"width": 1366, "height": 900})):
            context = browser.new_context(viewport=viewport, locale=locale,
                                          timezone_id="Asia/Shanghai")
            context.set_default_timeout(15_000)
            page = context.new_page()
            open_station(page, served, lang=lang)
            for tab in ("intake", "grading", "packing", "shipment"):
                page.click(f"a[href='#{tab}']")
                if tab == "intake":
                    page.fill("#intake [name=farmer]", "zh" if lang else "张")
                if tab == "shipment":
                    page.locator("#open-orders li").first.wait_for()
                text = page.inner_text("main")
                if not lang:
                    assert "bichonglin" not in text and "jiuhuang" not in text, tab
                    assert "Grade" not in text and " kg" not in text, tab
                    assert "outlet-" not in text, tab  # outlets by name, not id
                page.screenshot(path=str(ARTIFACTS / f"station_{lang or 'zh'}_{device}_{tab}.png"),
                                full_page=True)
            context.close()
