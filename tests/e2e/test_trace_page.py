"""The buyer's trace page on the demo week: what a phone shows after scanning a pack's QR."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.e2e.conftest import ARTIFACTS, Served, demo_batch, packs_of

PAGES = Path(__file__).parents[2] / "api" / "pages"
PAGE_WEIGHT_LIMIT = 60 * 1024


def test_trace_page_of_a_demo_pack_shows_its_farmers_village_and_the_pesticide_verdict(
        served: Served, page: Any) -> None:
    pack = packs_of(served, demo_batch(served, 5))[0]["pack_code"]  # 陈志强's 蒜薹, sprayed 20 days before

    response = page.goto(f"{served.url}/t/{pack}")

    assert response.status == 200
    text = page.inner_text("main")
    assert "先锋村" in text and "陈**" in text
    assert "陈志强" not in page.content() and "13800000005" not in page.content()
    assert "符合安全间隔期" in text and "高效氯氰菊酯" in text
    assert page.locator("svg polyline").count() == 1  # the cold-chain chart drawn without script
    page.screenshot(path=str(ARTIFACTS / "trace_page_demo_pack.png"), full_page=True)


def test_trace_page_draws_the_products_allowed_cold_room_range_behind_the_readings(
        served: Served, page: Any) -> None:
    pack = packs_of(served, demo_batch(served, 5))[0]["pack_code"]  # 蒜薹: kept at -1 to 4 °C

    page.goto(f"{served.url}/t/{pack}")

    band = page.locator("svg rect")
    assert band.count() == 1
    labels = [float(t.split()[0]) for t in page.locator("svg text").all_text_contents()]
    assert max(labels) >= 4 and min(labels) <= -1  # the chart's scale takes the whole band in
    assert float(band.get_attribute("height")) > 0


def test_trace_page_of_the_held_batch_says_so_at_the_top(served: Served, page: Any) -> None:
    held = demo_batch(served, 3)  # 王建国's 韭黄, harvested 2 days after 吡虫啉 (7-day interval)

    page.goto(f"{served.url}/t/{held}")

    alert = page.locator("[role=alert]").first
    assert "扣留" in alert.inner_text()
    assert alert.bounding_box()["y"] < 200
    assert "金星村" in page.inner_text("main")
    assert "未过 7 天安全间隔期" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "trace_page_held_batch.png"), full_page=True)


def test_trace_page_is_light_cacheable_and_needs_no_script(served: Served) -> None:
    pack = packs_of(served, demo_batch(served, 1))[0]["pack_code"]

    answer = httpx.get(f"{served.url}/t/{pack}")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert len(answer.content) < PAGE_WEIGHT_LIMIT
    assert "<script" not in answer.text and "<link" not in answer.text  # one response, first paint
    assert "max-age" in answer.headers["cache-control"]
    assert '<html lang="zh-CN">' in answer.text and "永安村" in answer.text


def test_trace_page_speaks_english_with_lang_en(served: Served) -> None:
    pack = packs_of(served, demo_batch(served, 1))[0]["pack_code"]

    answer = httpx.get(f"{served.url}/t/{pack}", params={"lang": "en"})

    assert answer.status_code == 200
    assert '<html lang="en">' in answer.text
    assert "Where it is now" in answer.text and "现在在哪里" not in answer.text


def test_a_wrong_code_gets_a_friendly_404_page(served: Served, page: Any) -> None:
    response = page.goto(f"{served.url}/t/NO-SUCH-CODE")

    assert response.status == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "未找到该编码" in page.inner_text("body") and "NO-SUCH-CODE" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "trace_page_not_found.png"), full_page=True)


def test_every_word_of_the_pages_is_in_both_catalogs_and_translated_to_chinese() -> None:
    marked = {m[2] if isinstance(m[2], str) else m[2][0]
              for m in extract_from_dir(str(PAGES), [("**.py", "python"), ("templates/**.html", "jinja2")],
                                        options_map={"templates/**.html": {
                                            "extensions": "jinja2.ext.i18n"}})}
    for locale in ("zh_CN", "en"):
        with (PAGES / "locale" / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
            catalog = read_po(po)
        ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
        assert marked - ids == set(), f"{locale} lacks: {sorted(marked - ids)}"
        assert ids - marked == set(), f"{locale} has words no page uses: {sorted(ids - marked)}"
        if locale == "zh_CN":
            untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy or (
                isinstance(m.string, tuple) and not all(m.string)))]
            assert untranslated == []
