"""``/station``, ``/outlet``, ``/admin``, ``/farmer`` and ``/books``: server-rendered screens whose scripts
call the API; ``/``, the start page that links them.

The token is entered on the screen and kept for that tab only; the pages themselves hold no
data and need no login, so they load even while the network to the API is poor.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.pages.i18n import environment, gettext, locale_of
from api.pages.messages import HOLDS, PLACES, PROBLEMS, SCRIPT
from infra.problems import Problem

STATIC = Path(__file__).parent / "static"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
SCREENS = {"station": "operator", "outlet": "outlet", "admin": "admin", "farmer": "farmer",
           "books": "accountant"}
router = APIRouter(include_in_schema=False)


def _screen(name: str) -> None:
    @router.get(f"/{name}", response_class=HTMLResponse, name=f"{name}_screen")
    def screen(request: Request, lang: str | None = None) -> HTMLResponse:
        locale = locale_of(lang)
        words = {**SCRIPT, **{f"place_{status}": place for status, place in PLACES.items()},
                 **{f"problem.{slug}": text for slug, text in PROBLEMS.items()},
                 **{f"hold.{reason}": text for reason, text in HOLDS.items()}}
        script = {key: gettext(locale, message) for key, message in words.items()}
        html = environment(locale).get_template(f"{name}.html").render(
            screen=name, role=SCREENS[name], lang=lang, script_messages=script,
            assets={a: version(a) for a in ("app.css", "app.js", f"{name}.js")})
        return HTMLResponse(html, headers={"Cache-Control": "no-cache"})


for _name in SCREENS:
    _screen(_name)


@router.get("/", response_class=HTMLResponse, name="start_page")
def start_page(lang: str | None = None) -> HTMLResponse:
    """Where a newcomer lands: each screen, who uses it, and the buyer's page by its code."""
    html = environment(locale_of(lang)).get_template("start.html").render(lang=lang)
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})


@router.get("/sw.js")
def service_worker() -> Response:
    """The screens' service worker, at the root so that it may answer for /station and the
    other screens when the network is gone; always asked again, so a new release takes over."""
    found = asset("sw.js")
    assert found is not None
    return Response(found[0], media_type=TYPES[".js"], headers={"Cache-Control": "no-cache"})


@router.get("/static/pages/{name}")
def static_asset(name: str, request: Request) -> Response:
    """The screens' own scripts and style: versioned by content, cached for a year."""
    found = asset(name)
    if found is None:
        raise Problem(404, f"there is no file {name} among the screens' files", slug="not-found")
    body, etag = found
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type=TYPES[Path(name).suffix],
                    headers={"ETag": etag, "Cache-Control": "public, max-age=31536000, immutable"})


def version(name: str) -> str:
    found = asset(name)
    return found[1].strip('"') if found else ""


@functools.cache
def asset(name: str) -> tuple[bytes, str] | None:
    path = STATIC / name
    if path.parent != STATIC or path.suffix not in TYPES or not path.is_file():
        return None
    body = path.read_bytes()
    return body, '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
