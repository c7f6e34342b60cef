"""A FEFO queue that cannot change: what a stock draws or reserves first, kept in order.

Entries are ``(expires_at, since, code)`` tuples, so nearest expiry comes first, then the
oldest, then the code. Adding or removing answers a new queue that shares every chunk of this
one but the one it touched: a copy of an aggregate holding queues costs nothing, and a change
of one entry costs about ``len / CHUNK + CHUNK`` pointer copies; a change of many at once (a
packing run's packs, an order's) builds the queue again in one pass.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

Entry = tuple[datetime, datetime, str]
CHUNK = 256
BULK = 16  # changes of more than len / BULK entries at once build the queue again


class FefoQueue:
    __slots__ = ("_chunks", "_len")
    _chunks: tuple[tuple[Entry, ...], ...]
    _len: int

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        ordered = sorted(set(entries))
        self._set([tuple(ordered[i:i + CHUNK]) for i in range(0, len(ordered), CHUNK)])

    def with_entries(self, entries: Iterable[Entry]) -> FefoQueue:
        """This queue and ``entries``; an entry already in it is there once."""
        added = list(entries)
        if len(added) * BULK > self._len:  # a run's packs at once: one sort of mostly sorted
            return FefoQueue([*self, *added])
        chunks = list(self._chunks)
        for entry in added:
            if not chunks:
                chunks.append((entry,))
                continue
            i = _chunk_of(chunks, entry)
            chunk = chunks[i]
            j = bisect_left(chunk, entry)
            if j < len(chunk) and chunk[j] == entry:
                continue
            chunks[i:i + 1] = _fit((*chunk[:j], entry, *chunk[j:]))
        return FefoQueue._of(chunks)

    def without(self, entries: Iterable[Entry]) -> FefoQueue:
        """This queue less ``entries``; one not in it is ignored."""
        gone = set(entries)
        if len(gone) * BULK > self._len:  # an order's packs at once: one pass
            return FefoQueue(e for e in self if e not in gone)
        chunks = list(self._chunks)
        for entry in gone:
            if not chunks:
                break
            i = _chunk_of(chunks, entry)
            chunk = chunks[i]
            j = bisect_left(chunk, entry)
            if j == len(chunk) or chunk[j] != entry:
                continue
            rest = chunk[:j] + chunk[j + 1:]
            if len(rest) < CHUNK // 4 and i + 1 < len(chunks):  # no queue of tiny chunks
                chunks[i:i + 2] = _fit(rest + chunks[i + 1])
            else:
                chunks[i:i + 1] = [rest] if rest else []
        return FefoQueue._of(chunks)

    def after(self, moment: datetime) -> Iterator[Entry]:
        """The entries expiring after ``moment``, in FEFO order (the expired are skipped, not
        walked through)."""
        chunks = self._chunks
        first = bisect_right(chunks, moment, key=_last_expiry)
        if first < len(chunks):
            yield from chunks[first][bisect_right(chunks[first], moment, key=_expiry):]
        for i in range(first + 1, len(chunks)):
            yield from chunks[i]

    def __iter__(self) -> Iterator[Entry]:
        for chunk in self._chunks:
            yield from chunk

    def __len__(self) -> int:
        return self._len

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FefoQueue) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"FefoQueue({list(self)!r})"

    def __copy__(self) -> FefoQueue:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FefoQueue:
        return self  # nothing in it can change

    @classmethod
    def _of(cls, chunks: list[tuple[Entry, ...]]) -> FefoQueue:
        queue = cls.__new__(cls)
        queue._set(chunks)
        return queue

    def _set(self, chunks: list[tuple[Entry, ...]]) -> None:
        self._chunks = tuple(chunks)
        self._len = sum(map(len, chunks))


def _fit(chunk: tuple[Entry, ...]) -> list[tuple[Entry, ...]]:
    return [chunk[:CHUNK], chunk[CHUNK:]] if len(chunk) > 2 * CHUNK else [chunk]


def _chunk_of(chunks: list[tuple[Entry, ...]], entry: Entry) -> int:
    """The chunk an entry is in or belongs in: the first whose last entry is not before it,
    or else the last."""
    return min(bisect_left(chunks, entry, key=_last), len(chunks) - 1)


def _expiry(entry: Entry) -> datetime:
    return entry[0]


def _last(chunk: tuple[Entry, ...]) -> Entry:
    return chunk[-1]


def _last_expiry(chunk: tuple[Entry, ...]) -> datetime:
    return chunk[-1][0]
