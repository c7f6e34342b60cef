"""The projection runner: follows the notification log and feeds projections in batches.

It works on any store whose recorder can ``select_notifications`` — the embedded SQLite one
has no subscriptions, so the runner polls, and waits between polls however it is told (a
sleep, or LISTEN/NOTIFY on PostgreSQL). Each batch's row changes and the new tracking
positions are committed in one transaction by the view store, so a crash anywhere leaves
the views at the last committed batch and a restart resumes from there: every event has
its effect exactly once. Events a projection ignores move its position too.

A batch that fails is told apart: the database out of reach (the store says so) is waited
out and the same batch tried again; anything else is an event some projection cannot take.
The batch is then run again projection by projection (``infra.views.faults.isolate``): the
one event a projection fails on is kept as a fault and passed, everything else is applied —
one event missing from one view, never a view stopped. ``gongxiao projections rebuild``
replays it once the code is mended.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from infra.views.faults import (
    Item,
    ViewStore,
    ViewTransaction,
    apply,
    decoded,
    isolate,
    prefetch,
    transient,
)
from projections.base import Projection

log = logging.getLogger(__name__)
BATCH_SIZE = 500
RETRY_S, RETRY_CAP_S = 0.25, 5.0  # waits between tries of a batch the database failed: doubling
# A projection fed from elsewhere (a Kafka consumer group) parks its log position here,
# beyond any notification id, so a log runner leaves it alone and its lag is the group's.
FED_ELSEWHERE = 2**62


@dataclass(frozen=True)
class Lag:
    events_behind: int
    seconds_behind: float
    position: int = 0  # the last notification id the view has taken


class ProjectionRunner:
    def __init__(self, *, recorder: Any, mapper: Any, store: ViewStore,
                 projections: Sequence[Projection], batch_size: int = BATCH_SIZE,
                 wait: Callable[[float], None] | None = None) -> None:
        self.recorder, self.mapper, self.store = recorder, mapper, store
        self.projections = list(projections)
        self.names = [p.name for p in self.projections]
        self.batch_size = batch_size
        self.wait = wait or time.sleep
        self.wanted = {t for p in self.projections for t in p.topics}
        self.ahead: _ReadAhead | None = None

    def run_once(self) -> int:
        """Process one batch; answers how many notifications it covered (0: caught up).
        Raises only when the database cannot be reached (or fails with no event at fault)."""
        try:
            with self.store.batch(self.names) as tx:
                return self.process(tx)
        except Exception as error:
            self.ahead = None
            if self.transient(error):
                raise
            log.warning("a projection batch failed (%r): finding the event at fault", error)
        return self.isolate()

    def transient(self, error: BaseException) -> bool:
        """The log or the views' database out of reach, not an event's fault."""
        return transient(self.store, error)

    def isolate(self) -> int:
        """Run the next batch projection by projection, each in halves down to the one event
        it cannot take; answers how many notifications it covered."""
        positions = self.store.positions(self.names)
        count, last, events = self.read(min(positions.values()), None)
        for projection in self.projections:
            if last > positions[projection.name]:
                items = [i for i in events if i.position > positions[projection.name]
                         and i.topic in projection.topics]
                isolate(self.store, projection, items, last, transient=self.transient)
        return count

    def catch_up(self) -> int:
        """Process batches until none is left; answers how many notifications it covered."""
        total = 0
        while done := self.run_once():
            total += done
        return total

    def drain(self, tx: ViewTransaction, *, until: int | None = None) -> None:
        """Catch up inside one open transaction, to ``until`` if given (used when a rebuilt
        view is swapped in, and to compare views at one position)."""
        while self.process(tx, until=until):
            pass

    def run(self, stop: threading.Event, *, idle: float = 0.5) -> None:
        """Follow the log until ``stop`` is set; a batch the database failed is tried again
        after doubling waits (at most ``RETRY_CAP_S``), on a new connection."""
        failures = 0
        while not stop.is_set():
            try:
                done = self.run_once()
            except Exception as error:
                failures += 1
                log.warning("projections paused, the database failed (try %d): %r",
                            failures, error)
                stop.wait(min(RETRY_CAP_S, RETRY_S * 2 ** (failures - 1)))
                continue
            if failures:
                log.info("projections resumed after %d failed tries", failures)
                failures = 0
            if done < self.batch_size:  # at the head: wait for more (caught up, or a few new)
                self.wait(idle)

    def process(self, tx: ViewTransaction, *, until: int | None = None) -> int:
        start = min(tx.positions[n] for n in self.names)
        ahead, self.ahead = self.ahead, None
        read = ahead.result() if ahead is not None and ahead.key == (start, until) else None
        count, last, events = read or self.read(start, until)
        if not count:
            return 0
        if count == self.batch_size:  # behind the log: read the next batch while this is written
            self.ahead = _ReadAhead(self.read, last, until)
        todo = [(p, [i for i in events if i.position > tx.positions[p.name]
                     and i.topic in p.topics]) for p in self.projections]
        prefetch(tx, todo)
        for projection, items in todo:
            apply(tx, projection, items, last)
        return count

    def read(self, start: int, until: int | None) -> tuple[int, int, list[Item]]:
        """How many notifications follow ``start`` (a batch at most), the last one's id, and
        the events among them that some projection handles, decoded."""
        notes = self.recorder.select_notifications(start=start, limit=self.batch_size, stop=until,
                                                   inclusive_of_start=False)
        events = [decoded(self.mapper, n) for n in notes if n.topic in self.wanted]
        return len(notes), notes[-1].id if notes else start, events

    def lag(self) -> dict[str, Lag]:
        """How far each projection is behind the log: events, and seconds since the oldest
        event it has not yet seen was recorded."""
        head = self.recorder.max_notification_id() or 0
        answer = {}
        for name, position in self.store.positions(self.names).items():
            if position >= FED_ELSEWHERE:
                continue
            seconds = 0.0
            if position < head:
                nxt = self.recorder.select_notifications(start=position, limit=1,
                                                         inclusive_of_start=False)
                stamp = getattr(decoded(self.mapper, nxt[0]).event, "timestamp", None)
                if isinstance(stamp, datetime):
                    seconds = max(0.0, (datetime.now(UTC) - stamp).total_seconds())
            answer[name] = Lag(events_behind=head - position, seconds_behind=seconds,
                               position=position)
        return answer


class _ReadAhead:
    """The next batch read and decoded in a thread while this one is written, so reading the
    log and writing the views wait on the database at the same time. It is used only by a
    batch that starts where it started (another runner may have moved the positions)."""

    def __init__(self, read: Callable[[int, int | None], Any], start: int,
                 until: int | None) -> None:
        self.key = (start, until)
        self.answer: Any = None
        self.thread = threading.Thread(target=self._read, args=(read,), daemon=True,
                                       name="projections-read-ahead")
        self.thread.start()

    def _read(self, read: Callable[[int, int | None], Any]) -> None:
        try:
            self.answer = read(*self.key)
        except Exception:  # the batch reads again itself, and meets the error there
            log.debug("read-ahead failed", exc_info=True)

    def result(self) -> Any:
        self.thread.join()
        return self.answer
