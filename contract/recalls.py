"""Recalls: opening (admin), the pull and quarantine scans (the outlet, the cold store),
disposals, widening and closing (admin), and the answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import ConfigDict, Field, PrivateAttr, model_validator

from contract.fields import Code, Command, Happened, Public, Text

SCOPE_FIELDS = {"input_lot": ("input_lot",), "batch": ("batch_code",),
                "packing_run": ("run_id",), "packs": ("pack_codes",),
                "excursion": ("site_id", "room", "start", "end")}


ScopeKind = Literal["input_lot", "batch", "packing_run", "packs", "excursion"]


class RecallScope(Command):
    """What the recall is of: one kind and the fields that kind names."""

    kind: ScopeKind
    input_lot: Text | None = None
    batch_code: Code | None = None
    run_id: Code | None = None
    pack_codes: Annotated[list[Code], Field(min_length=1, max_length=5000)] | None = None
    site_id: Code | None = None
    room: Code | None = None
    start: Happened | None = None
    end: Happened | None = None

    @model_validator(mode="after")
    def _named(self) -> RecallScope:
        wanted = SCOPE_FIELDS[self.kind]
        missing = [f for f in wanted if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a recall of {self.kind} names {', '.join(wanted)}")
        others = [f for fs in SCOPE_FIELDS.values() for f in fs
                  if f not in wanted and getattr(self, f) is not None]
        if others:
            raise ValueError(f"a recall of {self.kind} names only {', '.join(wanted)}")
        if self.kind == "excursion" and self.start and self.end and self.start > self.end:
            raise ValueError("the window's start is after its end")
        return self

    def named(self) -> dict[str, Any]:
        return {"kind": self.kind, **{f: getattr(self, f) for f in SCOPE_FIELDS[self.kind]}}


class RecallCreate(Command):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"scope": {"kind": "input_lot", "input_lot": "LOT-BCL-0921"},
         "reason": "吡虫啉批次 LOT-BCL-0921 有效成分超标（厂家召回通知）", "level": 2,
         "drill": False}]})
    route = "POST /v1/recalls"

    scope: RecallScope
    reason: Text
    level: Literal[1, 2, 3]
    drill: bool = False
    _lineage: dict[str, Any] = PrivateAttr(default_factory=dict)

    def with_lineage(self, lineage: dict[str, Any]) -> RecallCreate:
        """The lineage the trace view found, passed to the use case but not part of the
        command's fingerprint (the same key and body answer the first recall again)."""
        self._lineage = lineage
        return self

    @property
    def lineage(self) -> dict[str, Any]:
        return self._lineage


class RecallWidenCreate(Command):
    scope: RecallScope
    reason: Text


class RecallWiden(RecallWidenCreate):
    route = "POST /v1/recalls/{recall_id}/widen"
    status: ClassVar[int] = 200
    recall_id: Code
    _lineage: dict[str, Any] = PrivateAttr(default_factory=dict)

    def with_lineage(self, lineage: dict[str, Any]) -> RecallWiden:
        self._lineage = lineage
        return self

    @property
    def lineage(self) -> dict[str, Any]:
        return self._lineage


class PullCreate(Command):
    """An outlet scans an affected pack off its shelf."""

    outlet_id: Code
    pack_code: Code
    pulled_at: Happened


class Pull(PullCreate):
    route = "POST /v1/recalls/{recall_id}/pulls"
    recall_id: Code

    def accounted(self) -> dict[str, Any]:
        """The one use case every pack's fate goes to (``account_pack``), as this scan says it."""
        return {"recall_id": self.recall_id, "pack_code": self.pack_code, "fate": "pulled",
                "place": self.outlet_id, "at": self.pulled_at}


class QuarantineCreate(Command):
    """The cold store scans an affected pack into quarantine."""

    site_id: Code
    pack_code: Code
    quarantined_at: Happened


class Quarantine(QuarantineCreate):
    route = "POST /v1/recalls/{recall_id}/quarantines"
    recall_id: Code

    def accounted(self) -> dict[str, Any]:
        return {"recall_id": self.recall_id, "pack_code": self.pack_code,
                "fate": "quarantined", "place": self.site_id, "at": self.quarantined_at}


class DisposalCreate(Command):
    """A pulled or quarantined pack destroyed, or a sold one a buyer brought back."""

    pack_code: Code
    fate: Literal["destroyed", "returned"]
    place: Code
    at: Happened


class Disposal(DisposalCreate):
    route = "POST /v1/recalls/{recall_id}/disposals"
    recall_id: Code

    def accounted(self) -> dict[str, Any]:
        return {"recall_id": self.recall_id, "pack_code": self.pack_code, "fate": self.fate,
                "place": self.place, "at": self.at}


class CloseCreate(Command):
    """Close: every pack accounted for, or a reason why not."""

    reason: Text | None = None


class Close(CloseCreate):
    route = "POST /v1/recalls/{recall_id}/close"
    status: ClassVar[int] = 200
    recall_id: Code


class Progress(Public):
    affected: int
    located: int
    pulled: int
    quarantined: int
    sold: int
    destroyed: int
    returned: int
    outstanding: int


class PlaceProgress(Progress):
    place: str


class RecallProgress(Public):
    total: Progress
    places: list[PlaceProgress]
    located_at: datetime | None
    pulled_at: datetime | None


class ScopePublic(Public):
    """What the recall is of: its kind and the fields that kind names (``RecallScope``)."""

    kind: ScopeKind
    input_lot: str | None = None
    batch_code: str | None = None
    run_id: str | None = None
    pack_codes: list[str] | None = None
    site_id: str | None = None
    room: str | None = None
    start: datetime | None = None
    end: datetime | None = None


class Widening(Public):
    at: datetime
    reason: str
    packs: int = Field(description="packs newly taken in")
    batch_codes: list[str]


class Closing(Public):
    at: datetime
    reason: str | None = Field(description="why it closed with packs not accounted for")
    outstanding: list[str] = Field(description="the packs not accounted for at closing")


State = Literal["in_cold_store", "in_transit", "at_outlet", "sold"]
Fate = Literal["pulled", "quarantined", "sold", "destroyed", "returned"]


class PackFate(Public):
    fate: Fate
    place: str
    at: datetime


class RecalledPack(Public):
    pack_code: str
    sku: str
    grade: str
    place: str | None = Field(description="where it was when found: a cold store or an outlet")
    state: State
    fate: PackFate | None = Field(description="none until it is accounted for")


class SoldPack(Public):
    pack_code: str
    outlet_id: str
    sold_at: datetime


class RecallPublic(Public):
    recall_id: str
    scope: ScopePublic
    reason: str
    level: int
    level_name: str
    drill: bool
    status: Literal["open", "closed"]
    opened_at: datetime
    start_by: datetime
    what_to_do: str
    batch_codes: list[str]
    widenings: list[Widening]
    progress: RecallProgress
    hours_to_located: float | None
    hours_to_pulled: float | None
    closed: Closing | None
    packs: list[RecalledPack]
    sold: list[SoldPack] = Field(description="sold before the recall: for the public notice")


class ScanPublic(Public):
    recall_id: str
    pack_code: str
    fate: Fate
    place: str
    at: datetime
    outstanding: int


class ToPull(Public):
    pack_code: str
    sku: str
    grade: str
    state: State


class OpenRecallPublic(Public):
    recall_id: str
    kind: ScopeKind
    reason: str
    level: int
    drill: bool
    opened_at: datetime
    affected: int
    outstanding: int
    to_pull: list[ToPull]
