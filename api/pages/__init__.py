"""The pages people use: the buyer's trace page and the station, outlet and staff screens."""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import APIRouter

from api.pages import screens, trace
from api.pages.i18n import HERE

router = APIRouter(include_in_schema=False)
router.include_router(trace.router)
router.include_router(screens.router)


def inline_styles() -> list[str]:
    """Content-Security-Policy sources allowing exactly the templates' ``<style>`` blocks: the
    public pages keep their style inline, so a phone opening a QR needs one response."""
    found = set()
    for template in sorted((HERE / "templates").glob("*.html")):
        for style in re.findall(r"<style>(.*?)</style>", template.read_text(), flags=re.DOTALL):
            digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
            found.add(f"'sha256-{digest}'")
    return sorted(found)
