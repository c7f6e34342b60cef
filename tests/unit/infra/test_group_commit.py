"""Group commit: concurrent commands share a transaction, and each keeps its own outcome."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError

from domain.batch import Batch
from domain.farmer import Farmer
from infra.application import StoredGongxiao
from infra.group_commit import GroupCommit
from tests.district import at, intake, seed


class Store:
    """A fake recorder: all of a write or nothing; a write naming a refused id fails whole."""

    def __init__(self, refused: set[str] | None = None) -> None:
        self.written: list[Any] = []
        self.transactions: list[list[Any]] = []
        self.rows: list[dict[str, Any]] = []
        self.refused = refused or set()
        self.lock = threading.Lock()
        self.hold = threading.Event()
        self.hold.set()
        self.holding = threading.Event()

    def write(self, events: Sequence[Any], **rows: Any) -> list[Any]:
        self.holding.set()
        self.hold.wait(5)
        with self.lock:
            self.transactions.append(list(events))
            self.rows.append(rows)
            if any(e.originator_id in self.refused for e in events):
                raise IntegrityError("version conflict")
            self.written += events
            return [("recorded", e) for e in events]


def _event(aggregate: str, n: int = 1) -> Any:
    return SimpleNamespace(originator_id=aggregate, originator_version=n)


def _concurrently(calls: list[Callable[[], Any]], commit: GroupCommit,
                  store: Store) -> list[Any]:
    """Run ``calls[0]`` until it holds the writer, queue the rest behind it, then let go."""
    answers: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            answers[i] = calls[i]()
        except Exception as refused:
            answers[i] = refused

    store.hold.clear()
    threads = [threading.Thread(target=run, args=(0,))]
    threads[0].start()
    assert store.holding.wait(5)
    threads += [threading.Thread(target=run, args=(i,)) for i in range(1, len(calls))]
    for t in threads[1:]:
        t.start()
    deadline = time.monotonic() + 5
    while len(commit._queue) < len(calls) - 1 and time.monotonic() < deadline:
        time.sleep(0.001)
    store.hold.set()
    for t in threads:
        t.join(10)
    return answers


def test_a_command_alone_is_written_at_once_in_its_own_transaction() -> None:
    store = Store()
    commit = GroupCommit(store.write)
    assert commit.commit([_event("a"), _event("b")]) == [("recorded", _event("a")),
                                                        ("recorded", _event("b"))]
    assert len(store.transactions) == 1


def test_commands_waiting_on_a_writer_are_written_together_in_one_transaction() -> None:
    store = Store()
    commit = GroupCommit(store.write)
    calls = [lambda i=i: commit.commit([_event(f"agg-{i}")]) for i in range(8)]
    answers = _concurrently(calls, commit, store)
    assert answers == [[("recorded", _event(f"agg-{i}"))] for i in range(8)]
    assert [len(t) for t in store.transactions] == [1, 7]


def test_a_conflict_in_one_coalesced_command_neither_fails_nor_duplicates_the_others() -> None:
    store = Store(refused={"agg-3"})
    commit = GroupCommit(store.write)
    calls = [lambda i=i: commit.commit([_event(f"agg-{i}"), _event(f"agg-{i}", 2)])
             for i in range(6)]
    answers = _concurrently(calls, commit, store)
    assert isinstance(answers[3], IntegrityError)
    assert all(isinstance(a, list) and len(a) == 2 for i, a in enumerate(answers) if i != 3)
    written = [(e.originator_id, e.originator_version) for e in store.written]
    assert sorted(written) == sorted((f"agg-{i}", v) for i in range(6) if i != 3 for v in (1, 2))
    assert len(written) == len(set(written))
    # The leader alone, the group of five that failed whole, then each of the five alone.
    assert [len(t) for t in store.transactions] == [2, 10, 2, 2, 2, 2, 2]


def test_each_command_s_rows_ride_in_the_transaction_that_writes_its_events() -> None:
    store = Store(refused={"agg-2"})
    commit = GroupCommit(store.write)
    calls = [lambda i=i: commit.commit([_event(f"agg-{i}")], replies=[f"reply-{i}"])
             for i in range(4)]
    _concurrently(calls, commit, store)
    assert store.rows[0] == {"replies": ["reply-0"]}
    assert sorted(store.rows[1]["replies"]) == ["reply-1", "reply-2", "reply-3"]
    # The group failed whole (agg-2 conflicts): each command again, with its own rows only.
    assert sorted(r["replies"][0] for r in store.rows[2:]) == ["reply-1", "reply-2", "reply-3"]
    assert all(len(r["replies"]) == 1 for r in store.rows[2:])


def test_commands_on_the_same_aggregate_never_share_a_transaction() -> None:
    store = Store()
    commit = GroupCommit(store.write)
    calls = [lambda: commit.commit([_event("lead")]),
             lambda: commit.commit([_event("stock", 7)]),
             lambda: commit.commit([_event("other")]),
             lambda: commit.commit([_event("stock", 8)])]
    _concurrently(calls, commit, store)
    ids = [sorted(e.originator_id for e in t) for t in store.transactions]
    assert ids == [["lead"], ["other", "stock"], ["stock"]]


def test_a_failing_writer_hands_the_error_to_its_command_and_the_next_one_writes() -> None:
    store = Store(refused={"bad"})
    commit = GroupCommit(store.write)
    with pytest.raises(IntegrityError):
        commit.commit([_event("bad")])
    assert commit.commit([_event("good")]) == [("recorded", _event("good"))]


def test_use_cases_racing_with_another_writer_each_record_once() -> None:
    """Intakes and a farmer's correction coalesce; the farmer was changed by another writer
    meanwhile, so the shared transaction fails: the intakes are written once each, and the
    correction is decided again on the newer farmer and recorded."""
    app = seed(StoredGongxiao())
    insert = app.recorder.insert_events
    transactions: list[int] = []
    hold, holding = threading.Event(), threading.Event()

    def gated(stored: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name == "lead" and not hold.is_set():
            holding.set()
            hold.wait(5)
        transactions.append(len(stored))
        return insert(stored, **kwargs)

    app.recorder.insert_events = gated  # type: ignore[method-assign]
    answers: dict[str, Any] = {}

    def run(name: str, call: Callable[[], Any]) -> threading.Thread:
        def target() -> None:
            try:
                answers[name] = call()
            except Exception as refused:
                answers[name] = refused
        thread = threading.Thread(target=target, name=name)
        thread.start()
        return thread

    threads = [run("lead", lambda: intake(app, "LEAD"))]
    assert holding.wait(5)
    threads += [run(f"B{i}", lambda i=i: intake(app, f"B{i}")) for i in range(5)]
    threads.append(run("correct", lambda: app.register_farmer(
        farmer_id="wang", name="王建国", village="新民场")))
    while len(app.group_commit._queue) < 6:
        time.sleep(0.001)
    behind = app.repository.get(Farmer.create_id("wang"))  # another process changes wang
    behind.correct_details(name="王建国", village="三道堰", phone="13900000002")
    app.events.put(behind.collect_events())
    hold.set()
    for t in threads:
        t.join(10)

    assert all(not isinstance(a, Exception) for a in answers.values()), answers
    for code in ["LEAD", *(f"B{i}" for i in range(5))]:
        assert len(list(app.events.get(Batch.create_id(code)))) == 1
    wang = app.repository.get(Farmer.create_id("wang"))
    assert (wang.village, wang.phone) == ("新民场", None)
    assert 6 in transactions  # the six queued commands were tried in one transaction
    app.grade_batch(batch_code="B0", graded_at=at(0, 3) + timedelta(hours=1),
                    grades={"A": "50"}, reject_kg=Decimal(0))
