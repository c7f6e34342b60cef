"""What a view stores, said without SQL: its tables, their keys and indexes, and the units.

A view keeps integers only where numbers are concerned — grams, fen, microseconds since the
epoch, milli-degrees — so sums are exact and the same SQL runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from operator import itemgetter
from typing import Any

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Table:
    """A view table: ``columns`` are (name, "int" | "text"); ``key`` identifies a row.

    A ``counters`` table is only ever changed by adding to its non-key columns, so a batch
    sums its changes and writes each row once.
    """

    name: str
    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    indexes: tuple[tuple[str, ...], ...] = ()
    counters: bool = False

    @cached_property  # read for every row a batch writes
    def column_names(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.columns)

    @cached_property
    def key_of(self) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
        """The key of a row, as a tuple."""
        if len(self.key) == 1:
            one = self.key[0]
            return lambda row: (row[one],)
        return itemgetter(*self.key)


def table(name: str, columns: str, *, key: str, indexes: tuple[str, ...] = (),
          counters: bool = False) -> Table:
    """``table("t", "a b n:int", key="a")``: columns are text unless marked ``:int``."""
    cols = tuple((c.split(":")[0], c.split(":")[1] if ":" in c else "text") for c in columns.split())
    return Table(name=name, columns=cols, key=tuple(key.split()),
                 indexes=tuple(tuple(i.split()) for i in indexes), counters=counters)


def us(moment: datetime | None) -> int | None:
    """A moment as whole microseconds since the epoch (exact, sortable)."""
    return None if moment is None else (moment - EPOCH) // MICROSECOND


def moment(micros: int | None) -> datetime | None:
    return None if micros is None else EPOCH + micros * MICROSECOND


def grams(kg: Decimal | int | str | None) -> int:
    return 0 if kg is None else int(Decimal(kg) * 1000)


def kg(grams_: int | None) -> Decimal:
    return (Decimal(grams_ or 0) / 1000).quantize(Decimal("0.001"))


def milli(celsius: Decimal | int | str | None) -> int | None:
    return None if celsius is None else int((Decimal(str(celsius)) * 1000).to_integral_value())


def celsius(milli_: int | None) -> Decimal | None:
    return None if milli_ is None else (Decimal(milli_) / 1000).normalize()


def dumps(value: Any) -> str:
    """JSON for a text column; Decimal as its exact string, times as RFC 3339."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_plain)


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in a view")
