"""A poll's records taken side by side, in order wherever order matters.

A worker that takes one record after another writes one transaction per record; taking a
poll's records in a few threads lets the use cases' group commit write many in one. Order
still matters where a record depends on an earlier one (a batch graded after its intake), so
each job names its lanes: a job starts only after the earlier jobs of each of its lanes have
ended, and jobs that share no lane run side by side. A job with no lanes named (``None``) is
a barrier: it waits for every earlier job of its partition, and every later job of the
partition waits for it. Lanes belong to a partition: Kafka orders nothing across partitions.

Once a job raises, the jobs that have not started yet are not run (they raise ``NotRun``):
the caller takes each partition up to its first job that did not end, and polls the rest
again. Jobs only ever wait for jobs submitted before them, and the pool starts jobs in the
order they were submitted, so the oldest unfinished job is always running: no deadlock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Job(Generic[T]):
    partition: Hashable
    lanes: tuple[Hashable, ...] | None  # None: a barrier
    run: Callable[[], T]


class Lanes:
    def __init__(self, *, threads: int, name: str) -> None:
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)

    def run(self, jobs: Sequence[Job[T]]) -> list[Future[T]]:
        """Run the jobs, in order per lane; answers their futures once all have ended."""
        stopped = threading.Event()
        ends: dict[Hashable, _Partition[T]] = {}
        futures: list[Future[T]] = []
        for job in jobs:
            partition = ends.setdefault(job.partition, _Partition())
            before = partition.before(job.lanes)
            future = self.pool.submit(_after, before, job.run, stopped)
            partition.add(job.lanes, future)
            futures.append(future)
        wait(futures)
        return futures

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class NotRun(Exception):
    """An earlier job failed, so this one was not started: take it again later."""


class _Partition(Generic[T]):
    """The jobs of one partition that later ones may have to wait for."""

    def __init__(self) -> None:
        self.barrier: list[Future[T]] = []
        self.since: list[Future[T]] = []  # every job since the barrier
        self.lanes: dict[Hashable, Future[T]] = {}  # the last job of each lane

    def before(self, lanes: tuple[Hashable, ...] | None) -> list[Future[T]]:
        if lanes is None:
            return self.barrier + self.since
        return self.barrier + [self.lanes[lane] for lane in lanes if lane in self.lanes]

    def add(self, lanes: tuple[Hashable, ...] | None, future: Future[T]) -> None:
        if lanes is None:
            self.barrier, self.since, self.lanes = [future], [], {}
        else:
            self.since.append(future)
            self.lanes.update(dict.fromkeys(lanes, future))


def _after(before: list[Future[T]], run: Callable[[], T], stopped: threading.Event) -> T:
    wait(before)
    if stopped.is_set():
        raise NotRun
    try:
        return run()
    except BaseException:
        stopped.set()
        raise
