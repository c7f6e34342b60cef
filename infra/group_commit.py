"""Group commit: the events of commands saved at the same moment, written in one transaction.

The event store serialises its writers (PostgreSQL's recorder locks the events table until
its commit), so one transaction per command caps a busy cold store at the rate of commits in
a row. Here the first command to arrive writes; commands that arrive while it writes wait,
and the next writer takes all of them into one transaction. A command alone never waits.

A command may bring rows for the store's side tables (the kept reply of its Idempotency-Key):
they ride in its transaction as keyword arguments of ``write``, concatenated for a group.

Each command keeps its own outcome. Commands that touch the same aggregate never share a
transaction (the later one waits for the next). If a shared transaction fails — a version
conflict with a writer elsewhere, a lost connection — nothing of it was written, and each of
its commands is written again in a transaction of its own, so only the command that really
conflicts fails (and its use case runs again, or is refused), and none is written twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

Write = Callable[..., list[Any]]
MAX_COMMANDS = 100


class GroupCommit:
    """Writes the events of concurrent commands; ``write(events, **rows)`` is one transaction
    that answers one recording per event (or none, on stores that do not number them)."""

    def __init__(self, write: Write, *, max_commands: int = MAX_COMMANDS) -> None:
        self._write, self._max = write, max_commands
        self._lock = threading.Lock()
        self._queue: list[_Pending] = []
        self._writing = False

    def commit(self, events: Sequence[Any], **rows: Sequence[Any]) -> list[Any]:
        """Write one command's events (and rows); answers its recordings once they are
        committed, or raises what its own transaction raised."""
        mine = _Pending(events, rows)
        with self._lock:
            self._queue.append(mine)
            leading, self._writing = not self._writing, True
        if not leading:
            mine.woken.wait()  # written by the writer, or handed the writer's part
            if mine.done:
                return mine.outcome()
        try:
            while not mine.done:
                with self._lock:
                    group = self._take()
                try:
                    self._write_group(group)
                except BaseException as interrupted:
                    for p in group:
                        if not p.done:
                            p.fail(interrupted)
                    raise
                finally:
                    for p in group:
                        p.woken.set()
        finally:
            with self._lock:
                if self._queue:  # the oldest waiting command writes next: woken, not done
                    self._queue[0].woken.set()
                else:
                    self._writing = False
        return mine.outcome()

    def _take(self) -> list[_Pending]:
        """The queued commands, oldest first, that touch no aggregate an earlier one does."""
        group: list[_Pending] = []
        touched: set[Any] = set()
        for pending in self._queue:
            if len(group) == self._max:
                break
            if touched.isdisjoint(pending.ids):
                group.append(pending)
                touched |= pending.ids
        taken = {id(p) for p in group}
        self._queue = [p for p in self._queue if id(p) not in taken]
        return group

    def _write_group(self, group: list[_Pending]) -> None:
        if len(group) > 1:
            try:
                rows: dict[str, list[Any]] = {}
                for p in group:
                    for name, more in p.rows.items():
                        rows.setdefault(name, []).extend(more)
                recordings = self._write([e for p in group for e in p.events], **rows)
            except Exception:
                pass  # nothing was written: each command is written on its own below
            else:
                whole = len(recordings) == sum(len(p.events) for p in group)
                start = 0
                for p in group:
                    p.finish(recordings[start:start + len(p.events)] if whole else [])
                    start += len(p.events)
                return
        for p in group:
            try:
                p.finish(self._write(p.events, **p.rows))
            except BaseException as refused:
                p.fail(refused)


class _Pending:
    def __init__(self, events: Sequence[Any], rows: dict[str, Sequence[Any]]) -> None:
        self.events, self.rows = list(events), rows
        self.woken = threading.Event()
        self.ids = frozenset(e.originator_id for e in self.events)
        self.done = False
        self.recordings: list[Any] = []
        self.error: BaseException | None = None

    def finish(self, recordings: list[Any]) -> None:
        self.recordings, self.done = recordings, True

    def fail(self, error: BaseException) -> None:
        self.error, self.done = error, True

    def outcome(self) -> list[Any]:
        if self.error is not None:
            raise self.error
        return self.recordings
