"""Pack labels for 203 dpi thermal printers: 60 × 40 mm, a QR to the trace page and the facts.

SVG for any printer driver, 1-bit PNG for the thermal printers, and one multi-page PDF (or a
tall SVG strip) for a whole packing run. The PNG draws Chinese with a CJK font installed by
``infra/services/browser.sh`` (Debian ``fonts-wqy-microhei``); without one it refuses rather
than print boxes where the product name should be.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import segno
from PIL import Image, ImageDraw, ImageFont

from infra.problems import Unavailable
from infra.settings import Settings

DPI = 203
WIDTH_MM, HEIGHT_MM = 60, 40
WIDTH, HEIGHT = round(WIDTH_MM / 25.4 * DPI), round(HEIGHT_MM / 25.4 * DPI)  # 480 × 320 dots
QR_SIDE = HEIGHT - 16  # the QR fills the label's height on the left, quiet zone included
TEXT_X = QR_SIDE + 10
FONT_FAMILY = "'WenQuanYi Micro Hei','Noto Sans CJK SC','Source Han Sans SC',sans-serif"
FONT_FILES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
              "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


@dataclass(frozen=True)
class Label:
    """What one pack's label says. ``words`` are the label's own words in its language."""

    code: str
    trace_url: str
    product: str
    grade: str | None
    net_kg: str | None
    packed_on: str | None
    words: LabelWords
    expires_on: str | None = None
    coop: str | None = None


@dataclass(frozen=True)
class LabelWords:
    grade: str = "Grade %s"
    net: str = "Net %s kg"
    packed: str = "Packed %s"
    expires: str = "Use by %s"


def label_svg(label: Label) -> str:
    return _svg_document([label], WIDTH_MM, HEIGHT_MM)


def labels_svg_sheet(labels: Sequence[Label]) -> str:
    """A packing run's labels one under the other, a strip for a roll of labels."""
    return _svg_document(labels, WIDTH_MM, HEIGHT_MM * len(labels))


def label_png(label: Label) -> bytes:
    out = BytesIO()
    label_image(label).save(out, format="PNG", dpi=(DPI, DPI), optimize=True)
    return out.getvalue()


def labels_pdf(labels: Sequence[Label]) -> bytes:
    """One page per label, each page 60 × 40 mm, for the printer's PDF driver."""
    if not labels:
        raise ValueError("a label sheet needs at least one label")
    pages = [label_image(label) for label in labels]
    out = BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=DPI)
    return out.getvalue()


def label_image(label: Label) -> Image.Image:
    image = Image.new("1", (WIDTH, HEIGHT), 1)
    draw = ImageDraw.Draw(image)
    qr, scale, offset = _qr(label.trace_url)
    for x, y in _dark_modules(qr):
        left, top = offset + x * scale, offset + y * scale
        draw.rectangle((left, top, left + scale - 1, top + scale - 1), fill=0)
    for text, size, y in _lines(label):
        draw.text((TEXT_X, y), text, font=_font(_fit(text, size)), fill=0)
    return image


class LabelFontMissing(Unavailable):
    """No CJK font is installed; the setup script installs one (503 until then)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, slug="label-font-missing")


# ---- layout shared by the SVG and the PNG ------------------------------------------------------

def _lines(label: Label) -> list[tuple[str, int, int]]:
    """(text, font size in dots, top) of each text line right of the QR."""
    lines = [(label.product, 44, 14)]
    if label.grade:
        lines.append((label.words.grade % label.grade, 30, 80))
    if label.net_kg:
        lines.append((label.words.net % label.net_kg, 28, 128))
    if label.packed_on:
        lines.append((label.words.packed % label.packed_on, 20, 174))
    if label.expires_on:
        lines.append((label.words.expires % label.expires_on, 20, 200))
    if label.coop:
        lines.append((label.coop, 18, 232))
    lines.append((label.code, 22, 268))
    return lines


def _fit(text: str, size: int) -> int:
    """A font size at which the text fits the space right of the QR."""
    room = WIDTH - TEXT_X - 6
    while size > 12 and _text_width(text, size) > room:
        size -= 2
    return size


def _text_width(text: str, size: int) -> float:
    try:
        return float(_font(size).getlength(text))
    except LabelFontMissing:  # an SVG needs no font here: estimate wide (CJK) and narrow glyphs
        return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


def _qr(url: str) -> tuple[segno.QRCode, int, int]:
    qr = segno.make_qr(url, error="m")
    side = int(qr.symbol_size(border=4)[0])
    scale = QR_SIDE // side
    return qr, scale, (HEIGHT - side * scale) // 2


def _dark_modules(qr: segno.QRCode) -> Iterator[tuple[int, int]]:
    for y, row in enumerate(qr.matrix_iter(border=4)):
        for x, dark in enumerate(row):
            if dark:
                yield x, y


def _svg_document(labels: Sequence[Label], width_mm: int, height_mm: int) -> str:
    body = "".join(f'<g transform="translate(0 {i * HEIGHT})">{_svg_label(label)}</g>'
                   for i, label in enumerate(labels))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width_mm}mm" height="{height_mm}mm" '
            f'viewBox="0 0 {WIDTH} {HEIGHT * len(labels)}" shape-rendering="crispEdges">{body}</svg>')


def _svg_label(label: Label) -> str:
    qr, scale, offset = _qr(label.trace_url)
    path = "".join(f"M{offset + x * scale} {offset + y * scale}h{scale}v{scale}h-{scale}z"
                   for x, y in _dark_modules(qr))
    texts = "".join(f'<text x="{TEXT_X}" y="{y + _fit(text, size)}" font-size="{_fit(text, size)}">'
                    f"{escape(text)}</text>" for text, size, y in _lines(label))
    return (f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/><path d="{path}" fill="#000"/>'
            f'<g font-family="{FONT_FAMILY}" fill="#000">{texts}</g>')


# ---- the CJK font --------------------------------------------------------------------------------

@functools.cache
def font_file() -> str:
    """The CJK font the PNG is drawn with: GONGXIAO_LABEL_FONT, a known Debian path, or fc-match."""
    named = Settings.from_env().label_font
    candidates = [named] if named else list(FONT_FILES)
    if not named and shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True,
                               text=True, check=False).stdout.strip()
        candidates.append(found)
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and _has_cjk(candidate):
            return candidate
    raise LabelFontMissing("no Chinese font is installed for the labels: run "
                           "infra/services/browser.sh (Debian fonts-wqy-microhei)")


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_file(), size)


def _has_cjk(path: str) -> bool:
    """True when the font draws 韭 as a glyph of its own, not the box of a missing one."""
    font = ImageFont.truetype(path, 32)
    return font.getmask("韭").getbbox() != font.getmask("\U0010fffd").getbbox()
