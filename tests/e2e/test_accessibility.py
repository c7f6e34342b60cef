"""Every screen checked with axe-core (shipped by ``axe-playwright-python``) in zh-CN and English,
on a phone and a desktop, with its data loaded; a screenshot of each in ``artifacts/``. A serious
or critical violation fails; minor and moderate ones are listed in the failure of the others."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import ARTIFACTS, Served, demo_batch, packs_of

DEVICES = {"phone": {"width": 412, "height": 900}, "desktop": {"width": 1280, "height": 900}}


def _sign_in(role: str, site: str | None) -> Callable[[Any, Served], None]:
    def sign_in(page: Any, served: Served) -> None:
        page.fill("#token", served.tokens[role])
        if site:
            page.fill("#site", site)
        page.click("#token-form button")
        page.wait_for_selector("#result.ok, #result.bad")

    return sign_in


def _loaded(selector: str) -> Callable[[Any, Served], None]:
    return lambda page, _: page.wait_for_selector(selector, state="attached")


def _pack(served: Served) -> str:
    return f"/t/{packs_of(served, demo_batch(served, 1))[0]['pack_code']}"


# name: (address, what the user does before the check)
SCREENS: dict[str, tuple[Callable[[Served], str], list[Callable[[Any, Served], None]]]] = {
    "start": (lambda _: "/", []),
    "station": (lambda _: "/station", [_sign_in("operator", "yongan")]),
    "outlet": (lambda _: "/outlet", [_sign_in("outlet", "outlet-jinniu"), _loaded("#catalog-rows tr")]),
    "outlet_orders": (lambda _: "/outlet#orders", [_sign_in("outlet", "outlet-jinniu"),
                                                   _loaded("#order-rows tr")]),
    "admin": (lambda _: "/admin#recall", [_sign_in("admin", None)]),
    "farmer": (lambda _: "/farmer", [_sign_in("farmer", "f-zhang"), _loaded("#deliveries tr")]),
    "books": (lambda _: "/books", [_sign_in("admin", "nongzi"), _loaded("#trial-rows tr[data-account]")]),
    "books_ledger": (lambda _: "/books#ledger", [_sign_in("admin", "yongan-coop"),
                                                 _loaded("#ledger-rows a[data-voucher]")]),
    # the plan's forms: drafting, approving or settling, whichever is the plan's next step
    "books_plan": (lambda _: "/books#plan", [_sign_in("admin", "yongan-coop"),
                                             _loaded("#plan-rows tr")]),
    "trace": (_pack, []),
    "trace_not_found": (lambda _: "/t/NOPE-0000", []),
}


@pytest.fixture
def device_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    device, lang = request.param
    context = browser.new_context(viewport=DEVICES[device], locale="zh-CN" if lang == "zh" else "en-GB",
                                  timezone_id="Asia/Shanghai", is_mobile=device == "phone")
    context.set_default_timeout(15_000)
    yield context.new_page(), device, lang
    context.close()


@pytest.mark.parametrize("device_page", [(d, lang) for d in DEVICES for lang in ("zh", "en")],
                         indirect=True, ids=lambda p: f"{p[0]}-{p[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_screen_has_no_serious_accessibility_violation(
        served: Served, device_page: Any, screen: str) -> None:
    page, device, lang = device_page
    address, steps = SCREENS[screen]
    path = address(served)
    query = "?lang=en" if lang == "en" else ""
    path = path.replace("#", f"{query}#") if "#" in path else path + query
    page.goto(served.url + path)
    for step in steps:
        step(page, served)

    found = Axe().run(page).response["violations"]

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"screen_{screen}_{lang}_{device}.png"), full_page=True)
    serious = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
               for v in found if v["impact"] in ("serious", "critical")]
    assert serious == [], "\n".join(serious)
