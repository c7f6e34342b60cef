"""How a stock holds its lots and packs: records by code, with FEFO queues kept beside them.

The queues say what to draw or reserve first without sorting every lot or pack; they follow
from the records, so snapshots leave them out and keep the plain shape stocks always had.
A record is replaced when it changes, never changed in place (``Records``), and a queue never
changes (``domain.fefo``): a copy of a stock may share them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from eventsourcing.domain import Snapshot
from eventsourcing.utils import get_topic

from domain.fefo import Entry, FefoQueue

Record = dict[str, Any]
Keyed = tuple[Hashable, Entry]
EntryOf = Callable[[str, Record | None], Keyed | None]
EMPTY = FefoQueue()
QUEUES = ("lot_queues", "pack_queues")


class Records(dict[str, Any]):
    """Records by code, each replaced when it changes and never changed in place."""


def lot_entry(code: str, lot: Record | None) -> Keyed | None:
    """Lots with kg left queue by site, nearest expiry first, then the first received."""
    if lot is None or lot["kg"] <= 0:
        return None
    return lot["site_id"], (lot["expires_at"], lot["received_at"], code)


def pack_entry(code: str, pack: Record | None) -> Keyed | None:
    """Packs nobody reserved queue by weight, nearest expiry first, then the first packed."""
    if pack is None or pack["order_id"] is not None:
        return None
    return pack["pack_kg"], (pack["expires_at"], pack["packed_at"], code)


def put(records: Records, queues: dict[Any, FefoQueue],
        changes: Mapping[str, Record | None], entry_of: EntryOf) -> None:
    """Change ``records`` (None: the record leaves), keeping ``queues`` holding exactly the
    entries that ``entry_of`` gives the records (under its key; None: in no queue)."""
    left: dict[Hashable, list[Entry]] = {}
    joined: dict[Hashable, list[Entry]] = {}
    held = records.get
    for code, record in changes.items():
        was = entry_of(code, held(code))
        now = None if record is None else entry_of(code, record)
        if was != now:
            if was:
                left.setdefault(was[0], []).append(was[1])
            if now:
                joined.setdefault(now[0], []).append(now[1])
        if record is not None:
            records[code] = record
        else:
            records.pop(code, None)
    for key in left.keys() | joined.keys():
        queue = queues.get(key, EMPTY).without(left.get(key, ())).with_entries(
            joined.get(key, ()))
        if queue:
            queues[key] = queue
        else:
            queues.pop(key, None)


def restore(state: dict[str, Any]) -> None:
    """A stock's stored state as it is held: with its queues."""
    for name in ("lots", "packs", "runs", "flagged"):
        state[name] = Records(state[name])
    state["lot_queues"] = _queues(state["lots"], lot_entry)
    state["pack_queues"] = _queues(state["packs"], pack_entry)


class StockSnapshot(Snapshot):
    """Snapshots of a stock are stored without the queues, as the library's own snapshot
    class (the same topic) in the shape of version 1, so any version of the code reads any of
    them (``restore`` builds the queues again)."""

    @classmethod
    def take(cls, aggregate: Any) -> Any:
        skipped = {"_id", "_version", "_pending_events", *QUEUES}
        return Snapshot(originator_id=aggregate.id, originator_version=aggregate.version,
                        timestamp=Snapshot.create_timestamp(), topic=get_topic(type(aggregate)),
                        state={k: dict(v) if isinstance(v, Records) else v
                               for k, v in vars(aggregate).items() if k not in skipped})


def _queues(records: Records, entry_of: EntryOf) -> dict[Any, FefoQueue]:
    entries: defaultdict[Hashable, list[Entry]] = defaultdict(list)
    for keyed in filter(None, (entry_of(code, record) for code, record in records.items())):
        entries[keyed[0]].append(keyed[1])
    return {key: FefoQueue(queued) for key, queued in entries.items()}
