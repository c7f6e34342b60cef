"""Recalls: opening (admin), the pull and quarantine scans (the outlet, the cold store),
disposals, widening and closing (admin), and the answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from contract.fields import Code, Command, Happened, Text

SCOPE_FIELDS = {"input_lot": ("input_lot",), "batch": ("batch_code",),
                "packing_run": ("run_id",), "packs": ("pack_codes",),
                "excursion": ("site_id", "room", "start", "end")}


class RecallScope(Command):
    """What the recall is of: one kind and the fields that kind names."""

    kind: Literal["input_lot", "batch", "packing_run", "packs", "excursion"]
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


class QuarantineCreate(Command):
    """The cold store scans an affected pack into quarantine."""

    site_id: Code
    pack_code: Code
    quarantined_at: Happened


class Quarantine(QuarantineCreate):
    route = "POST /v1/recalls/{recall_id}/quarantines"
    recall_id: Code


class DisposalCreate(Command):
    """A pulled or quarantined pack destroyed, or a sold one a buyer brought back."""

    pack_code: Code
    fate: Literal["destroyed", "returned"]
    place: Code
    at: Happened


class Disposal(DisposalCreate):
    route = "POST /v1/recalls/{recall_id}/disposals"
    recall_id: Code


class CloseCreate(Command):
    """Close: every pack accounted for, or a reason why not."""

    reason: Text | None = None


class Close(CloseCreate):
    route = "POST /v1/recalls/{recall_id}/close"
    status: ClassVar[int] = 200
    recall_id: Code


class Progress(BaseModel):
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


class RecallProgress(BaseModel):
    total: Progress
    places: list[PlaceProgress]
    located_at: datetime | None
    pulled_at: datetime | None


class RecallPublic(BaseModel):
    recall_id: str
    scope: dict[str, Any]
    reason: str
    level: int
    level_name: str
    drill: bool
    status: str
    opened_at: datetime
    start_by: datetime
    what_to_do: str
    batch_codes: list[str]
    widenings: list[dict[str, Any]]
    progress: RecallProgress
    hours_to_located: float | None
    hours_to_pulled: float | None
    closed: dict[str, Any] | None
    packs: list[dict[str, Any]]
    sold: list[dict[str, Any]]


class ScanPublic(BaseModel):
    recall_id: str
    pack_code: str
    fate: str
    place: str
    at: datetime
    outstanding: int


class OpenRecallPublic(BaseModel):
    recall_id: str
    kind: str
    reason: str
    level: int
    drill: bool
    opened_at: datetime
    affected: int
    outstanding: int
    to_pull: list[dict[str, Any]]
