"""A real ``gongxiao serve`` on a free localhost port with the demo week, and a real Chromium.

The server runs embedded (SQLite in a temporary var dir), exactly as ``make run`` does. The
browser is Debian's ``chromium`` (``infra/services/browser.sh`` installs it) driven by
Playwright's Python client through ``executable_path``; no browser is ever downloaded.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import free_port, stop, wait_ready

ARTIFACTS = Path(__file__).parent / "artifacts"
PUBLIC_URL = "https://trace.gongxiao.example"
CONTACT = "郫都区供销合作社 028-87880000"
GONGXIAO = str(Path(sys.executable).with_name("gongxiao"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@dataclass
class Served:
    """The running server: its URL, the demo it holds, and a token per role."""

    url: str
    demo: dict[str, Any]
    tokens: dict[str, str]
    env: dict[str, str]  # what `gongxiao` commands run with to reach the same store

    def client(self, role: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def events(self, after: int = 0) -> list[dict[str, Any]]:
        """The whole stored event log after a position, page by page."""
        found: list[dict[str, Any]] = []
        with self.client("admin") as http:
            while True:
                page = http.get("/v1/events", params={"after": after, "limit": 500})
                assert page.status_code == 200, page.text
                body = page.json()
                items = body if isinstance(body, list) else body.get("events") or body.get("items") or []
                if not items:
                    return found
                found += items
                after = items[-1]["notification_id"]

    def wait_for(self, what: str, check: Callable[[], Any], timeout: float = 20) -> Any:
        """Poll until ``check`` answers something truthy: views follow the log, a little later."""
        deadline = time.monotonic() + timeout
        while True:
            found = check()
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            time.sleep(0.2)


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([GONGXIAO, *args], env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        pytest.fail(f"`gongxiao {' '.join(args)}` failed ({done.returncode}):\n{done.stderr[-3000:]}",
                    pytrace=False)
    return done.stdout.strip()


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``gongxiao demo`` then ``gongxiao serve`` on a free port, ready when /healthz answers."""
    var = tmp_path_factory.mktemp("var")
    env = {k: v for k, v in os.environ.items()
           if k not in ("GONGXIAO_DATABASE_URL", "GONGXIAO_KAFKA_BOOTSTRAP")}
    env["GONGXIAO_VAR_DIR"] = str(var)
    # Labels point at the public address, never at the host the test's browser used.
    env["GONGXIAO_PUBLIC_URL"] = PUBLIC_URL
    env["GONGXIAO_CONTACT"] = CONTACT
    demo = json.loads(_run(env, "demo").splitlines()[-1])
    tokens = {"admin": _run(env, "token", "create", "--role", "admin"),
              "operator": _run(env, "token", "create", "--role", "operator", "--scope", "yongan"),
              "outlet": _run(env, "token", "create", "--role", "outlet", "--scope", "outlet-jinniu"),
              "farmer": _run(env, "token", "create", "--role", "farmer", "--scope", "f-zhang"),
              "accountant": _run(env, "token", "create", "--role", "accountant", "--scope", "nongzi")}
    port = free_port()
    log = (var / "serve.log").open("w")
    server = subprocess.Popen([GONGXIAO, "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(server, url, var / "serve.log")
        yield Served(url=url, demo=demo, tokens=tokens, env=env)
    finally:
        stop(server)
        log.close()


def chromium_path() -> str:
    found = os.environ.get("GONGXIAO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        message = ("Debian's chromium is not installed: run `bash infra/services/browser.sh` "
                   "(make test runs it)")
        if os.environ.get("GONGXIAO_REQUIRE_SERVICES") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


# The package's, not the session's: sync Playwright keeps an event loop running in this
# thread while it is open, and the tests after this package run asyncio.run.
@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser profile (storage, IndexedDB) per test; a screenshot when it ends."""
    context = browser.new_context(viewport={"width": 412, "height": 900}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def demo_batch(served: Served, n: int) -> str:
    """The demo week's n-th batch code (1: 张德明's 韭黄, 3: 王建国's held 韭黄, 5: 陈志强's 蒜薹)."""
    return str(served.demo["batches"][n - 1])


def packs_of(served: Served, batch_code: str) -> list[dict[str, Any]]:
    """The packs made from a batch, with their place, from the recall view."""
    def found() -> list[dict[str, Any]]:
        with served.client("admin") as http:
            answer = http.get("/v1/recall", params={"batch_code": batch_code})
        return list(answer.json().get("packs") or []) if answer.status_code == 200 else []

    return list(served.wait_for(f"the packs of {batch_code} in the recall view", found))
