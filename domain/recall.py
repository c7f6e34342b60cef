"""A recall: the affected packs fixed at opening, each pack's fate as it is found, and the close.

A recall is opened by input lot, harvest batch, packing run, pack codes or a cold-room
excursion, with a reason and a level (食品召回管理办法: 一级 starts within 24 h, 二级 48 h,
三级 72 h), or as a drill that runs the same flow and blocks nothing. What it takes is fixed
when it opens; more found later is added by ``widen`` (a new event, never silently).
Each affected pack is then accounted for once: pulled at an outlet, quarantined at the cold
store, counted as sold (it cannot be pulled), destroyed or returned.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, Invalid, NotFound
from domain.topics import stable_topics

LEVEL_HOURS = {1: 24, 2: 48, 3: 72}
LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级"}
SCOPES = ("input_lot", "batch", "packing_run", "packs", "excursion")
PULLED = ("pulled", "quarantined", "destroyed", "returned")  # off the shelf, out of reach
FATES = ("pulled", "quarantined", "sold", "destroyed", "returned")


@stable_topics("Recall")
class Recall(Aggregate):
    @event("Opened")
    def __init__(self, id: UUID, scope: dict[str, Any], reason: str, level: int, drill: bool,
                 opened_at: datetime, packs: list[dict[str, Any]], batch_codes: list[str]) -> None:
        self.scope, self.reason, self.level, self.drill = scope, reason, level, drill
        self.opened_at = opened_at
        self.packs: dict[str, dict[str, Any]] = {}
        self.fates: dict[str, dict[str, Any]] = {}
        self.batch_codes: list[str] = []
        self.widenings: list[dict[str, Any]] = []
        self.closed: dict[str, Any] | None = None
        self._take(packs, batch_codes, opened_at)

    @classmethod
    def open(cls, *, recall_id: UUID, scope: dict[str, Any], reason: str, level: int,
             drill: bool, opened_at: datetime, packs: list[dict[str, Any]],
             batch_codes: list[str]) -> Recall:
        """Open a recall of what the lineage found; it must take at least a pack or a batch."""
        if scope.get("kind") not in SCOPES:
            raise Invalid(f"a recall is opened by one of {', '.join(SCOPES)}", field="scope.kind")
        _check_reason(reason)
        if level not in LEVEL_HOURS:
            raise Invalid("level is 1 (一级, 24 h), 2 (二级, 48 h) or 3 (三级, 72 h)", field="level")
        if not packs and not batch_codes:
            raise NothingToRecall("nothing was found to recall: no pack and no batch; check the "
                                  "lot, batch, run, codes or the room and window")
        return cls(id=recall_id, scope=scope, reason=reason, level=level, drill=drill,
                   opened_at=opened_at, packs=packs, batch_codes=batch_codes)

    def widen(self, *, packs: list[dict[str, Any]], batch_codes: list[str], reason: str,
              at: datetime) -> list[str]:
        """Take in packs and batches found later; answers the pack codes newly taken."""
        self._check_open()
        _check_reason(reason)
        new = [p for p in packs if p["pack_code"] not in self.packs]
        new_batches = [b for b in batch_codes if b not in self.batch_codes]
        if new or new_batches:
            self._widened(packs=new, batch_codes=new_batches, reason=reason, widened_at=at)
        return [p["pack_code"] for p in new]

    @event("Widened")
    def _widened(self, packs: list[dict[str, Any]], batch_codes: list[str], reason: str,
                 widened_at: datetime) -> None:
        self.widenings.append({"at": widened_at, "reason": reason, "packs": len(packs),
                               "batch_codes": batch_codes})
        self._take(packs, batch_codes, widened_at)

    def account(self, *, pack_code: str, fate: str, place: str, at: datetime) -> None:
        """A pack found: pulled (outlet), quarantined (cold store), destroyed or returned; the
        same scan again records nothing, the same pack elsewhere is refused."""
        self._check_open()
        if fate not in FATES or fate == "sold":
            raise Invalid("a pack is pulled, quarantined, destroyed or returned", field="fate")
        if pack_code not in self.packs:
            raise PackNotInRecall(f"pack {pack_code} is not in this recall; keep it apart and "
                                  "tell the co-op office", pack_code=pack_code)
        earlier = self.fates.get(pack_code)
        if earlier is not None:
            if (earlier["fate"], earlier["place"]) == (fate, place):
                return
            if fate in ("pulled", "quarantined") or earlier["fate"] in ("destroyed", "returned"):
                raise AlreadyAccounted(
                    f"pack {pack_code} was already {earlier['fate']} at {earlier['place']} on "
                    f"{earlier['at'].isoformat()}", pack_code=pack_code, fate=earlier["fate"])
            if fate == "returned" and earlier["fate"] != "sold":
                raise Invalid(f"pack {pack_code} was never sold; it cannot be returned",
                              field="fate")
        self._accounted(pack_code=pack_code, fate=fate, place=place, accounted_at=at)

    @event("PackAccounted")
    def _accounted(self, pack_code: str, fate: str, place: str, accounted_at: datetime) -> None:
        self.fates[pack_code] = {"fate": fate, "place": place, "at": accounted_at}

    def close(self, *, closed_at: datetime, reason: str | None = None) -> None:
        """Close when every pack is accounted for, or say why not; closing twice is one close."""
        if self.closed is not None:
            if self.closed["reason"] == reason:
                return
            raise Conflict("this recall is already closed", closed_at=self.closed["at"])
        outstanding = self.outstanding()
        if outstanding and not (reason or "").strip():
            raise RecallIncomplete(
                f"{len(outstanding)} of {len(self.packs)} packs are not accounted for "
                f"(first: {', '.join(outstanding[:5])}); find them, or close with a reason",
                outstanding=len(outstanding))
        self._closed(closed_at=closed_at, reason=reason, outstanding=outstanding)

    @event("Closed")
    def _closed(self, closed_at: datetime, reason: str | None, outstanding: list[str]) -> None:
        self.closed = {"at": closed_at, "reason": reason, "outstanding": outstanding}

    def outstanding(self) -> list[str]:
        return sorted(c for c in self.packs if c not in self.fates)

    @property
    def start_by(self) -> datetime:
        return self.opened_at + timedelta(hours=LEVEL_HOURS[self.level])

    @property
    def status(self) -> str:
        return "closed" if self.closed is not None else "open"

    def progress(self) -> dict[str, Any]:
        """Per place and in total: affected, located, each fate, and the times to 100 %."""
        places: dict[str, dict[str, int]] = {}
        for code, pack in self.packs.items():
            fate = self.fates.get(code)
            place = fate["place"] if fate else pack["place"] or "unknown"
            _count(places.setdefault(place, _zero()), fate)
        total = _zero()
        for counts in places.values():
            for k, v in counts.items():
                total[k] += v
        return {"total": total, "places": [{"place": p, **c} for p, c in sorted(places.items())],
                "located_at": self._all_done(lambda f: True),
                "pulled_at": self._all_done(lambda f: f["fate"] in PULLED, skip_sold=True)}

    def _all_done(self, counts: Any, *, skip_sold: bool = False) -> datetime | None:
        """When the last pack was found (or pulled; sold packs cannot be): None until all are."""
        last = self.opened_at
        for code in self.packs:
            fate = self.fates.get(code)
            if fate is not None and skip_sold and fate["fate"] == "sold":
                continue
            if fate is None or not counts(fate):
                return None
            last = max(last, fate["at"])
        return last

    def _take(self, packs: list[dict[str, Any]], batch_codes: list[str], at: datetime) -> None:
        for p in packs:
            self.packs[p["pack_code"]] = {k: p.get(k) for k in ("sku", "grade", "place", "state")}
            if p.get("state") == "sold":
                self.fates[p["pack_code"]] = {"fate": "sold", "place": p["place"],
                                              "at": p["sold_at"]}
        self.batch_codes += batch_codes

    def _check_open(self) -> None:
        if self.closed is not None:
            raise Conflict("this recall is closed; open a new one", closed_at=self.closed["at"])


def _zero() -> dict[str, int]:
    return {"affected": 0, "located": 0, **dict.fromkeys(FATES, 0), "outstanding": 0}


def _count(counts: dict[str, int], fate: dict[str, Any] | None) -> None:
    counts["affected"] += 1
    if fate is None:
        counts["outstanding"] += 1
        return
    counts["located"] += 1
    counts[fate["fate"]] += 1


def _check_reason(reason: str) -> None:
    if not reason or not reason.strip():
        raise Invalid("say why: a reason is required", field="reason")


class UnknownRecall(NotFound):
    def __init__(self, recall_id: str) -> None:
        super().__init__(f"no recall {recall_id}", recall_id=recall_id)


class NothingToRecall(Conflict):
    pass


class PackNotInRecall(Conflict):
    pass


class AlreadyAccounted(Conflict):
    pass


class RecallIncomplete(Conflict):
    pass
