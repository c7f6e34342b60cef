"""The API over the embedded store of ``tests/unit/conftest.py``, with a token per role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx import Response
from pydantic import TypeAdapter
from starlette.routing import Match

from api.limits import Limits
from api.main import ROUTERS, create_app
from domain.application import Gongxiao
from infra.settings import Settings
from infra.tokens import Tokens
from infra.views import ReadModels
from tests.district import seed

GRANTS = {"admin": ("admin", None), "operator": ("operator", "yongan"),
          "operator-elsewhere": ("operator", "tangchang"), "shop": ("shop", "shop"),
          "shop-elsewhere": ("shop", "shop-ande"), "outlet": ("outlet", "out-a"),
          "outlet-b": ("outlet", "out-b"), "farmer": ("farmer", "zhang"),
          "farmer-wang": ("farmer", "wang")}
UNLIMITED = Limits(per_token="100000/minute", per_address="100000/minute")


@pytest.fixture
def client(app: Gongxiao, settings: Settings, views: ReadModels) -> Iterator[TestClient]:
    api = create_app(app, settings=settings, views=views, limits=UNLIMITED, project=False)
    with TestClient(api, raise_server_exceptions=False) as test_client:
        test_client.event_hooks = {"request": [], "response": [answers_as_declared]}
        yield test_client


DECLARED = [route for module in ROUTERS for route in module.router.routes
            if isinstance(route, APIRoute) and route.response_model is not None]


def answers_as_declared(response: Response) -> None:
    """Every answer of every API test, not only schemathesis' few: a JSON success of a route
    that declares its ``response_model`` must be one (no key it does not declare)."""
    if response.status_code >= 300 or response.headers.get("content-type") != "application/json":
        return
    scope = {"type": "http", "path": response.request.url.path, "method": response.request.method}
    route = next((r for r in DECLARED if r.matches(scope)[0] is Match.FULL), None)
    if route is not None:
        response.read()
        TypeAdapter(route.response_model).validate_json(response.content)


@pytest.fixture
def tokens(app: Gongxiao) -> dict[str, str]:
    issued = Tokens(app.recorder)
    return {name: issued.issue(role=role, scope=scope) for name, (role, scope) in GRANTS.items()}


@pytest.fixture
def auth(tokens: dict[str, str]) -> Callable[[str], dict[str, str]]:
    return lambda who: {"Authorization": f"Bearer {tokens[who]}"}


@pytest.fixture
def district(app: Gongxiao) -> Gongxiao:
    return seed(app)


@pytest.fixture
def catch_up(app: Gongxiao, views: ReadModels) -> Callable[[], Any]:
    return lambda: views.runner(app).catch_up()
