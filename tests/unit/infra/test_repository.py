"""The use cases' repository: cached aggregates up to date, read side by side, handed out as
copies."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from copy import deepcopy
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from domain.batch import Batch
from domain.farmer import Farmer
from domain.fefo import FefoQueue
from domain.stock import Stock
from domain.stock_state import Records
from infra.application import StoredGongxiao
from infra.repository import copied
from tests.district import at, graded, packs, seed

ZHANG = Farmer.create_id("zhang")


def test_a_cached_aggregate_includes_what_another_writer_stored_before_it_was_asked_for() -> None:
    app = seed(StoredGongxiao())
    assert app.repository.get(ZHANG).village == "永安村"  # cached now
    elsewhere = app.repository.get(ZHANG)
    elsewhere.correct_details(name="张德明", village="新民场", phone=None)
    app.events.put(elsewhere.collect_events())  # as another process would, past this cache
    assert app.repository.get(ZHANG).village == "新民场"
    assert app.repository.get(ZHANG).version == elsewhere.version


def test_readers_of_one_aggregate_query_the_store_side_by_side() -> None:
    app = seed(StoredGongxiao())
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
    app = seed(StoredGongxiao())
    mine = app.repository.get(ZHANG)
    mine.correct_details(name="张德明", village="唐昌", phone=None)  # changed, never saved
    assert app.repository.get(ZHANG).village == "永安村"


def test_a_copy_holds_what_deepcopy_would_and_shares_nothing_that_can_change() -> None:
    app = seed(StoredGongxiao())
    for i in range(3):
        graded(app, f"B{i}", day=i)
    packs(app, 12)
    stock = app.repository.get(Stock.create_id("jiuhuang", "A", "yongan"), deepcopy_from_cache=False)
    stock.shared = {"a": [1]}
    stock.again = stock.shared  # one object under two names stays one object
    clone = copied(stock)
    assert type(clone) is Stock and vars(clone) == vars(deepcopy(stock))
    assert clone.again is clone.shared and clone.shared is not stock.shared
    assert not mutable_parts(clone) & mutable_parts(stock)
    assert clone.packs is not stock.packs
    assert all(clone.packs[c] is p for c, p in stock.packs.items()), "records are shared, not copied"


def test_a_command_changing_its_copy_of_a_stock_leaves_the_cached_stock_alone() -> None:
    app = seed(StoredGongxiao())
    graded(app, "B0")
    codes = packs(app, 4)
    stock_id = Stock.create_id("jiuhuang", "A", "yongan")
    mine = app.repository.get(stock_id)
    mine.reserve(order_id=uuid4(), pack_kg=Decimal("0.5"), packs=2, at=at(0, 6))  # never saved
    cached = app.repository.get(stock_id)
    assert all(cached.packs[c]["order_id"] is None for c in codes)
    assert cached.available(Decimal("0.5"), at(0, 6)) == codes


def mutable_parts(value: Any, seen: set[int] | None = None) -> set[int]:
    """The ids of everything reachable from ``value`` that could be changed in place."""
    seen = set() if seen is None else seen
    if id(value) in seen or isinstance(value, str | int | Decimal | datetime | UUID | None):
        return set()
    seen.add(id(value))
    found = set() if isinstance(value, tuple | frozenset | FefoQueue) else {id(value)}
    if isinstance(value, Records):  # its records are replaced, never changed in place
        return found
    if isinstance(value, dict):
        parts: Iterable[Any] = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple | set | frozenset | FefoQueue):
        parts = value
    else:
        parts = vars(value).values()
    for part in parts:
        found |= mutable_parts(part, seen)
    return found


def test_what_a_use_case_saved_is_cached_as_saved_and_the_next_read_asks_only_for_newer_events(
) -> None:
    app = seed(StoredGongxiao())
    graded(app, "C1")
    batch_id = Batch.create_id("C1")
    assert app.repository.cache is not None
    cached = app.repository.cache.get(batch_id)  # not read back: cached when saved
    assert cached.version == len(list(app.events.get(batch_id))) == 2
    asked: list[Any] = []
    get = app.events.get

    def recorded(originator_id: Any, **kwargs: Any) -> Any:
        asked.append(kwargs.get("gt"))
        return get(originator_id, **kwargs)

    app.events.get = recorded  # type: ignore[method-assign]
    mine = app.repository.get(batch_id)
    assert asked == [2] and mine.grading == cached.grading and mine is not cached
    mine.correct_net_kg(net_kg=Decimal("99"), reason="changed in a copy", corrected_at=at(1))
    assert app.repository.get(batch_id).version == 2, "the cache was handed out"
