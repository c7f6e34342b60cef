"""A poll's jobs side by side: in order within a lane, a barrier after everything before it,
and nothing started once one has failed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterator

import pytest

from infra.kafka_lanes import Job, Lanes, NotRun


@pytest.fixture
def lanes() -> Iterator[Lanes]:
    lanes = Lanes(threads=4, name="test-lanes")
    yield lanes
    lanes.close()


class Journal:
    def __init__(self) -> None:
        self.lock, self.entries = threading.Lock(), list[str]()

    def job(self, name: str, lanes: tuple[Hashable, ...] | None, *, partition: int = 0,
            pause_s: float = 0.0, then: Callable[[], object] | None = None) -> Job[str]:
        def run() -> str:
            self.write(f"{name} starts")
            time.sleep(pause_s)
            if then is not None:
                then()
            self.write(f"{name} ends")
            return name
        return Job(partition=partition, lanes=lanes, run=run)

    def write(self, entry: str) -> None:
        with self.lock:
            self.entries.append(entry)

    def before(self, first: str, second: str) -> bool:
        return self.entries.index(first) < self.entries.index(second)


def test_jobs_of_one_lane_run_in_order_and_jobs_of_other_lanes_side_by_side(lanes: Lanes) -> None:
    journal, meet = Journal(), threading.Barrier(2, timeout=10)
    futures = lanes.run([
        journal.job("intake B1", ("B1",), pause_s=0.05),
        journal.job("intake B2", ("B2",), then=meet.wait),  # meets grading B3: side by side
        journal.job("grading B1", ("B1",)),
        journal.job("grading B3", ("B3",), then=meet.wait),
    ])
    assert [f.result() for f in futures] == ["intake B1", "intake B2", "grading B1", "grading B3"]
    assert journal.before("intake B1 ends", "grading B1 starts")


def test_a_barrier_waits_for_everything_before_it_in_its_partition_and_holds_what_follows(
        lanes: Lanes) -> None:
    journal = Journal()
    lanes.run([
        journal.job("intake B1", ("B1",), pause_s=0.05),
        journal.job("intake B2", ("B2",), pause_s=0.1),
        journal.job("other partition", ("B9",), partition=1, pause_s=0.3),
        journal.job("packing", None),
        journal.job("intake B3", ("B3",)),
    ])
    assert journal.before("intake B1 ends", "packing starts")
    assert journal.before("intake B2 ends", "packing starts")
    assert journal.before("packing ends", "intake B3 starts")
    assert journal.before("packing ends", "other partition ends"), "partitions do not wait"


def test_once_a_job_fails_the_jobs_not_started_are_not_run(lanes: Lanes) -> None:
    journal = Journal()

    def fail() -> None:
        raise ConnectionError("the store is down")

    futures = lanes.run([
        journal.job("intake B1", ("B1",)),
        journal.job("intake B2", ("B2",), pause_s=0.05, then=fail),
        journal.job("grading B2", ("B2",)),
        journal.job("packing", None),
    ])
    assert futures[0].result() == "intake B1"
    assert isinstance(futures[1].exception(), ConnectionError)
    assert all(isinstance(f.exception(), NotRun) for f in futures[2:])
    assert "grading B2 starts" not in journal.entries and "packing starts" not in journal.entries
