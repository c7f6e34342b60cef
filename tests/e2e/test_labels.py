"""Pack labels decode back to the trace URL: the PNG as printed, the SVG as a browser draws it."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

import httpx
import zxingcpp
from PIL import Image

from infra.labels import HEIGHT, WIDTH, _has_cjk, font_file
from tests.e2e.conftest import ARTIFACTS, PUBLIC_URL, Served, demo_batch, packs_of


def decoded(image: Image.Image) -> list[str]:
    return [found.text for found in zxingcpp.read_barcodes(image.convert("L"))]


def test_pack_label_png_decodes_to_the_public_trace_url_whatever_host_printed_it(
        served: Served) -> None:
    pack = packs_of(served, demo_batch(served, 1))[0]["pack_code"]

    answer = httpx.get(f"{served.url}/v1/packs/{pack}/label.png")

    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    image = Image.open(BytesIO(answer.content))
    assert image.size == (WIDTH, HEIGHT) == (480, 320)  # 60 × 40 mm at 203 dpi
    assert round(image.info["dpi"][0]) == 203
    assert decoded(image) == [f"{PUBLIC_URL}/t/{pack}"]
    image.save(ARTIFACTS / "label_pack.png")


def test_label_png_draws_chinese_with_an_installed_cjk_font() -> None:
    assert _has_cjk(font_file())


def test_pack_label_svg_decodes_to_the_trace_url_as_chromium_draws_it(served: Served, page: Any) -> None:
    pack = packs_of(served, demo_batch(served, 5))[0]["pack_code"]

    answer = httpx.get(f"{served.url}/v1/packs/{pack}/label.svg")

    assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    assert 'width="60mm" height="40mm"' in answer.text and "蒜薹" in answer.text
    page.set_content(f"<body style='margin:0'>{answer.text}</body>")
    shot = page.locator("svg").screenshot(path=str(ARTIFACTS / "label_pack_svg.png"))
    assert decoded(Image.open(BytesIO(shot))) == [f"{PUBLIC_URL}/t/{pack}"]


def test_a_packing_run_prints_all_its_labels_as_one_pdf_and_one_svg_strip_for_its_operator(
        served: Served) -> None:
    packs = packs_of(served, demo_batch(served, 5))
    run_id = packs[0]["run_id"]
    codes = sorted(p["pack_code"] for p in packs if p["run_id"] == run_id)

    with served.client("operator") as operator:  # the demo packs at 永安 (yongan)
        pdf = operator.get(f"/v1/packing-runs/{run_id}/labels.pdf", timeout=60)
        svg = operator.get(f"/v1/packing-runs/{run_id}/labels.svg", timeout=60)

    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    certified = packs[0]["batch_codes"]  # a certificate label per batch the run drew comes first
    assert len(re.findall(rb"/Type\s*/Page\b", pdf.content)) == len(certified) + len(codes)
    assert svg.status_code == 200
    assert re.findall(r"<text[^>]*>([0-9A-Z]{8}-\d{4})</text>", svg.text) == codes


def test_the_label_of_an_unknown_pack_is_a_404_problem(served: Served) -> None:
    answer = httpx.get(f"{served.url}/v1/packs/NO-SUCH-PACK/label.png")

    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "NO-SUCH-PACK" in answer.json()["detail"]
