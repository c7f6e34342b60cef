"""The FEFO queue answers what a sorted list of its entries would, however it is chunked."""

from __future__ import annotations

from copy import copy, deepcopy
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import fefo
from domain.fefo import Entry, FefoQueue
from tests.district import at

entries = st.builds(lambda d, s, c: (at(d), at(s), f"P{c:03d}"), st.integers(0, 6),
                    st.integers(0, 3), st.integers(0, 60))
changes = st.lists(st.tuples(st.booleans(), st.lists(entries, max_size=12)), max_size=25)


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fefo, "CHUNK", 4)  # splits and merges happen within a few entries


@given(start=st.lists(entries, max_size=40), steps=changes, moment=st.integers(-1, 7))
def test_a_queue_holds_what_a_sorted_set_would(start: list[Entry], steps: list[tuple[bool, list[Entry]]],
                                               moment: int) -> None:
    queue, model = FefoQueue(start), set(start)
    for adding, batch in steps:
        old, before = queue, list(queue)
        if adding:
            queue, model = queue.with_entries(batch), model | set(batch)
        else:
            queue, model = queue.without(batch), model - set(batch)
        assert list(old) == before, "a change leaves the queue it came from as it was"
    assert list(queue) == sorted(model) and len(queue) == len(model)
    assert list(queue.after(at(moment))) == sorted(e for e in model if e[0] > at(moment))


def test_expired_entries_are_skipped_not_walked() -> None:
    queue = FefoQueue((at(d), at(0), f"P{d:03d}") for d in range(100))
    assert next(queue.after(at(97))) == (at(98), at(0), "P098")
    assert list(queue.after(at(99))) == []


def test_a_queue_is_its_own_copy() -> None:
    queue = FefoQueue([(at(1), at(0), "P1")])
    assert copy(queue) is queue and deepcopy(queue) is queue


def test_an_entry_is_queued_once() -> None:
    entry: tuple[datetime, datetime, str] = (at(1), at(0), "P1")
    assert list(FefoQueue([entry]).with_entries([entry, entry])) == [entry]
