"""The browser's protections, in Chromium: no foreign page frames a screen, every page works
under its Content-Security-Policy, and a screen's token stays in its own tab."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.e2e.conftest import Served, demo_batch, packs_of
from tests.e2e.test_station import open_station


def _violations(page: Any) -> list[str]:
    found: list[str] = []
    page.on("console", lambda message: found.append(message.text)
            if "Content Security Policy" in message.text else None)
    return found


def test_every_answer_forbids_framing_sniffing_and_referrers(served: Served) -> None:
    with served.client() as http:
        for path in ("/admin", "/station", "/t/NOPE", "/v1/trace/NOPE", "/healthz",
                     "/static/pages/app.js", "/openapi.json", "/docs"):
            headers = http.get(path).headers
            assert headers["x-frame-options"] == "DENY", path
            assert headers["x-content-type-options"] == "nosniff", path
            assert headers["referrer-policy"] == "no-referrer", path
            assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        policy = http.get("/admin").headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy


@pytest.fixture
def foreign_site(served: Served) -> Iterator[str]:
    """Another origin (its own port) whose page frames the staff screen."""
    page = f'<iframe src="{served.url}/admin"></iframe>'.encode()

    class Framing(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

    site = ThreadingHTTPServer(("127.0.0.1", 0), Framing)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{site.server_address[1]}/"
    site.shutdown()
    site.server_close()


def test_a_foreign_page_cannot_frame_the_staff_screen(foreign_site: str, page: Any) -> None:
    page.goto(foreign_site)  # waits for the load event, which waits for the frame
    framed = page.frames[1]
    assert framed.url.startswith("chrome-error://"), f"{framed.url} was shown in the frame"
    assert framed.locator("#token").count() == 0


def test_the_screens_and_the_trace_page_work_under_their_policy(served: Served, page: Any) -> None:
    violations = _violations(page)
    open_station(page, served)
    for screen in ("outlet", "admin"):
        page.goto(f"{served.url}/{screen}")
        page.wait_for_selector("#net:not(:empty)")  # the scripts ran
    code = packs_of(served, demo_batch(served, 1))[0]["pack_code"]
    for address in (f"/t/{code}", "/t/NOPE"):
        page.goto(served.url + address)
        background = page.eval_on_selector("header", "h => getComputedStyle(h).backgroundColor")
        assert background == "rgb(47, 107, 58)", "the inline style applies"
    assert violations == []


def test_a_screens_token_is_kept_in_its_tab_only(served: Served, page: Any) -> None:
    open_station(page, served)
    stored = page.evaluate("[sessionStorage.getItem('gongxiao.operator.token'), "
                           "localStorage.getItem('gongxiao.operator.token'), "
                           "localStorage.getItem('gongxiao.operator.site')]")
    assert stored == [served.tokens["operator"], None, "yongan"]
    other = page.context.new_page()
    other.goto(f"{served.url}/station")
    assert other.input_value("#token") == "" and other.input_value("#site") == "yongan"
    assert other.locator("#setup").get_attribute("open") is not None
    other.close()


def test_staff_print_a_statement_for_the_days_they_pick(served: Served, page: Any) -> None:
    page.goto(f"{served.url}/admin#earnings")
    page.fill("#token", served.tokens["admin"])
    page.click("#token-form button")
    week_from = served.demo["week_from"]
    page.fill("#earnings [name=farmer_id]", "f-zhang")
    page.fill("#earnings [name=from]", week_from)
    page.fill("#earnings [name=to]", week_from)
    page.click("#earnings button[type=submit]")
    page.wait_for_selector("#statement:not([hidden])")
    assert "张德明" in page.inner_text("#statement-head")
    page.fill("#earnings [name=to]", "2000-01-01")
    page.click("#earnings button[type=submit]")
    page.wait_for_selector("#result.bad")
