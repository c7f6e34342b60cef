"""An Idempotency-Key is its caller's own, over HTTP on SQLite and on PostgreSQL: two outlets
using one key place two orders and learn nothing of each other; an outlet's repeat answers
its first answer, and its other command under that key is refused. Replies kept before keys
were the caller's still answer their repeats."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.limits import Limits
from api.main import create_app
from contract.orders import OrderCreate
from domain.application import Gongxiao
from domain.stock import Stock
from infra.event_json import dumps
from infra.idempotency import Replies, fingerprint, kept_at
from infra.settings import Settings
from infra.sidetables import SideTables
from infra.tokens import Tokens
from infra.views import build_views
from tests.district import seed
from tests.unit.api.helpers import assert_problem, events, order_body, stocked

Post = Callable[..., Any]
UNLIMITED = Limits(per_token="100000/minute", per_address="100000/minute")


@pytest.fixture
def store(app: Gongxiao, store_env: dict[str, str], tmp_path: Path,
          request: pytest.FixtureRequest) -> Iterator[tuple[Gongxiao, TestClient]]:
    on_postgres = "POSTGRES_SCHEMA" in store_env
    settings = Settings(database_url=request.getfixturevalue("postgres_url") if on_postgres
                        else None, kafka_bootstrap=None, var_dir=tmp_path)
    views = build_views(settings, schema=store_env.get("POSTGRES_SCHEMA"))
    stocked(seed(app), packs=10)
    api = create_app(app, settings=settings, views=views, limits=UNLIMITED, project=False)
    with TestClient(api, raise_server_exceptions=False) as client:
        yield app, client
    views.close()


@pytest.fixture
def outlet(store: tuple[Gongxiao, TestClient]) -> Callable[[str], Post]:
    app, client = store
    tokens = Tokens(app.recorder)

    def post_as(scope: str) -> Post:
        token = tokens.issue(role="outlet", scope=scope)
        return lambda body, key: client.post("/v1/orders", json=body, headers={
            "Authorization": f"Bearer {token}", "Idempotency-Key": key})

    return post_as


def test_two_outlets_using_one_key_place_two_orders(
        store: tuple[Gongxiao, TestClient], outlet: Callable[[str], Post]) -> None:
    app, _ = store
    first = outlet("out-a")(order_body(2, outlet="out-a"), "till-1")
    second = outlet("out-b")(order_body(3, outlet="out-b"), "till-1")
    assert (first.status_code, second.status_code) == (201, 201), second.text
    assert first.json()["order_id"] != second.json()["order_id"]
    assert "idempotent-replayed" not in second.headers
    assert _reserved(app) == {first.json()["order_id"]: 2, second.json()["order_id"]: 3}


def test_an_outlet_repeating_its_key_gets_its_first_answer_and_another_body_is_refused(
        store: tuple[Gongxiao, TestClient], outlet: Callable[[str], Post]) -> None:
    app, _ = store
    out_a, out_b = outlet("out-a"), outlet("out-b")
    first = out_a(order_body(2, outlet="out-a"), "till-2")
    out_b(order_body(1, outlet="out-b"), "till-2")
    before = events(app)
    again = out_a(order_body(2, outlet="out-a"), "till-2")
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert_problem(out_a(order_body(4, outlet="out-a"), "till-2"), 409, detail="till-2")
    assert events(app) == before


def test_a_reply_kept_before_keys_were_the_callers_answers_its_repeat(
        store: tuple[Gongxiao, TestClient], outlet: Callable[[str], Post]) -> None:
    app, client = store
    body = order_body(2, outlet="out-a")
    kept = {"order_id": "kept-before", "lines": []}
    _keep_as_before(app, key="till-old", body=body, reply=kept)
    client.app.state.replies = Replies(app.recorder)  # type: ignore[attr-defined]  # restarted
    before = events(app)
    again = outlet("out-a")(body, "till-old")
    assert again.status_code == 201 and again.json() == kept
    assert_problem(outlet("out-a")(order_body(3, outlet="out-a"), "till-old"), 409)
    assert events(app) == before


def test_replies_kept_before_keys_were_the_callers_are_forgotten_on_schedule(
        store: tuple[Gongxiao, TestClient], outlet: Callable[[str], Post]) -> None:
    app, _ = store
    body = order_body(2, outlet="out-a")
    _keep_as_before(app, key="till-old", body=body, reply={"order_id": "kept-before"},
                    at=datetime.now(UTC) - timedelta(days=40))
    replies = Replies(app.recorder)
    assert replies.forget(before=datetime.now(UTC) - timedelta(days=30)) == 1
    assert replies.replay(caller="outlet:out-a", key="till-old",
                          fingerprint=_fingerprint(body)) is None


def _keep_as_before(app: Gongxiao, *, key: str, body: dict[str, Any], reply: dict[str, Any],
                    at: datetime | None = None) -> None:
    """A reply as the release before callers kept it: in ``gongxiao_replies``, by key alone."""
    db = SideTables(app.recorder)
    table = db.name("gongxiao_replies")
    db.run(f"CREATE TABLE {table} (idempotency_key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, "
           "status INTEGER NOT NULL, body TEXT NOT NULL, kept_at TEXT NOT NULL)")
    db.run(f"INSERT INTO {table} VALUES (%s, %s, %s, %s, %s)",
           (key, _fingerprint(body), 201, dumps(reply), kept_at(at or datetime.now(UTC))))


def _fingerprint(body: dict[str, Any]) -> str:
    command = OrderCreate.model_validate(body)
    return fingerprint(command.route, command.model_dump())


def _reserved(app: Gongxiao) -> dict[str, int]:
    stock = app.repository.get(Stock.create_id("jiuhuang", "A", "yongan"))
    counts: dict[str, int] = {}
    for pack in stock.packs.values():
        if pack["order_id"]:
            counts[str(pack["order_id"])] = counts.get(str(pack["order_id"]), 0) + 1
    return counts
