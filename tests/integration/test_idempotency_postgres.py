"""Copies of one command racing on PostgreSQL from two API processes: one command recorded,
every copy answered the same."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from contract.orders import OrderCreate
from domain.stock import Stock
from infra.application import StoredGongxiao
from infra.commands import perform
from infra.idempotency import Replies
from tests.district import seed
from tests.unit.api.helpers import order_body, stocked

pytestmark = pytest.mark.postgres
COPIES = 8


def test_racing_copies_of_an_order_with_one_key_reserve_once(pg_env: dict[str, str]) -> None:
    setup = StoredGongxiao(env=pg_env)
    stocked(seed(setup), packs=20)
    apps = [StoredGongxiao(env=pg_env), StoredGongxiao(env=pg_env)]
    replies = [Replies(a.recorder) for a in apps]
    command = OrderCreate.model_validate(order_body(3))
    start, answers = threading.Barrier(COPIES), [None] * COPIES

    def clerk(i: int) -> None:
        start.wait()
        answers[i] = perform(apps[i % 2], command, caller="outlet:out-a", key="till-7/scan-1",
                             replies=replies[i % 2])

    threads = [threading.Thread(target=clerk, args=(i,)) for i in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    bodies: list[Any] = [a[1] for a in answers if a is not None]
    assert len(bodies) == COPIES
    assert all(body == bodies[0] for body in bodies)
    stock = setup.repository.get(Stock.create_id("jiuhuang", "A", "yongan"))
    assert sum(1 for pack in stock.packs.values() if pack["order_id"]) == 3
    for app in (setup, *apps):
        app.close()

