"""The use cases' repository: cached aggregates up to date, read side by side, handed out as
copies."""

from __future__ import annotations

import threading
from copy import deepcopy
from typing import Any

from domain.application import Gongxiao
from domain.farmer import Farmer
from domain.stock import Stock
from domain.usecases.repository import copied
from tests.district import graded, packs, seed

ZHANG = Farmer.create_id("zhang")


def test_a_cached_aggregate_includes_what_another_writer_stored_before_it_was_asked_for() -> None:
    app = seed(Gongxiao())
    assert app.repository.get(ZHANG).village == "永安村"  # cached now
    elsewhere = app.repository.get(ZHANG)
    elsewhere.correct_details(name="张德明", village="新民场", phone=None)
    app.events.put(elsewhere.collect_events())  # as another process would, past this cache
    assert app.repository.get(ZHANG).village == "新民场"
    assert app.repository.get(ZHANG).version == elsewhere.version


def test_readers_of_one_aggregate_query_the_store_side_by_side() -> None:
    app = seed(Gongxiao())
    app.repository.get(ZHANG)
    get, inside, both = app.events.get, [0], threading.Event()
    lock = threading.Lock()

    def slow(*args: Any, **kwargs: Any) -> Any:
        with lock:
            inside[0] += 1
            if inside[0] == 2:
                both.set()
        both.wait(2)  # the library's repository would hold the aggregate's lock here
        return get(*args, **kwargs)

    app.events.get = slow  # type: ignore[method-assign]
    readers = [threading.Thread(target=app.repository.get, args=(ZHANG,)) for _ in range(2)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(5)
    assert both.is_set(), "the second reader waited for the first one's query"


def test_each_command_gets_its_own_copy() -> None:
    app = seed(Gongxiao())
    mine = app.repository.get(ZHANG)
    mine.correct_details(name="张德明", village="唐昌", phone=None)  # changed, never saved
    assert app.repository.get(ZHANG).village == "永安村"


def test_a_copy_holds_what_deepcopy_would_and_shares_nothing_that_can_change() -> None:
    app = seed(Gongxiao())
    for i in range(3):
        graded(app, f"B{i}", day=i)
    packs(app, 12)
    stock = app.repository.get(Stock.create_id("jiuhuang", "A"), deepcopy_from_cache=False)
    stock.shared = {"a": [1]}
    stock.again = stock.shared  # one object under two names stays one object
    clone = copied(stock)
    assert type(clone) is Stock and vars(clone) == vars(deepcopy(stock))
    assert clone.again is clone.shared and clone.shared is not stock.shared
    code = next(iter(clone.packs))
    clone.packs[code]["order_id"] = "changed"
    clone.lots.clear()
    assert stock.packs[code]["order_id"] is None and stock.lots
