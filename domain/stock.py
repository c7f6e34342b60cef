"""The co-op's stock of one product and grade: graded kg per batch, and the packs made from it.

It is the consistency boundary of packing and reserving: two clerks can never draw the same
kilogram or be promised the same pack, because both change this one aggregate.

It holds every lot and pack in the cold store; FEFO queues kept beside them say what to draw
or reserve first without sorting every lot or pack (``domain.stock_state``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from itertools import islice
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, Invalid
from domain.fefo import FefoQueue
from domain.stock_state import EMPTY, Record, Records, StockSnapshot, lot_entry, pack_entry, put, restore
from domain.topics import stable_topics
from domain.values import id_for, short_code

MAX_PACKS_PER_RUN = 5000


@stable_topics("Stock")
class Stock(Aggregate):
    # 2: FEFO queues in memory, built again from the records; stored snapshots keep the shape of 1.
    class_version = 2
    Snapshot = StockSnapshot

    @event("Opened")
    def __init__(self, sku: str, grade: str) -> None:
        self.sku, self.grade = sku, grade
        self.lots, self.packs, self.runs, self.flagged = Records(), Records(), Records(), Records()
        self.lot_queues: dict[str, FefoQueue] = {}  # per site: lots with kg left
        self.pack_queues: dict[Decimal, FefoQueue] = {}  # per pack kg: packs not reserved

    @staticmethod
    def create_id(sku: str, grade: str) -> UUID:
        return id_for("stock", f"{sku}/{grade}")

    def add_lot(self, *, batch_code: str, site_id: str, kg: Decimal, expires_at: datetime,
                received_at: datetime) -> None:
        self._lot_added(batch_code=batch_code, site_id=site_id, kg=kg, expires_at=expires_at,
                        received_at=received_at)

    @event("LotAdded")
    def _lot_added(self, batch_code: str, site_id: str, kg: Decimal, expires_at: datetime,
                   received_at: datetime) -> None:
        put(self.lots, self.lot_queues, {batch_code: {
            "site_id": site_id, "kg": kg, "expires_at": expires_at, "received_at": received_at}},
            lot_entry)

    def pack(self, *, run_id: UUID, site_id: str, pack_kg: Decimal, count: int,
             packed_at: datetime, sources: list[dict[str, Any]] | None) -> list[str]:
        """Turn graded kg into coded packs, FEFO unless told which batches; answers the codes."""
        if str(run_id) in self.runs:
            return list(self.runs[str(run_id)]["pack_codes"])
        if pack_kg <= 0:
            raise Invalid("pack_kg must be more than zero", field="pack_kg")
        if not 1 <= count <= MAX_PACKS_PER_RUN:
            raise Invalid(f"count must be 1 to {MAX_PACKS_PER_RUN}", field="count")
        need = pack_kg * count
        draws = (self._named(site_id, sources, need, packed_at) if sources
                 else self._fefo(site_id, need, packed_at))
        expires_at = min(self.lots[d["batch_code"]]["expires_at"] for d in draws)
        codes = [f"{short_code(run_id)}-{i:04d}" for i in range(1, count + 1)]
        self._packed(run_id=str(run_id), site_id=site_id, pack_kg=pack_kg, packed_at=packed_at,
                     expires_at=expires_at, draws=draws, pack_codes=codes)
        return codes

    @event("Packed")
    def _packed(self, run_id: str, site_id: str, pack_kg: Decimal, packed_at: datetime,
                expires_at: datetime, draws: list[dict[str, Any]], pack_codes: list[str]) -> None:
        lots: dict[str, Record] = {}
        for d in draws:
            lot = lots.get(d["batch_code"]) or self.lots[d["batch_code"]]
            lots[d["batch_code"]] = {**lot, "kg": lot["kg"] - d["kg"]}
        put(self.lots, self.lot_queues, lots, lot_entry)
        pack = {"site_id": site_id, "pack_kg": pack_kg, "packed_at": packed_at,
                "expires_at": expires_at, "order_id": None}
        self._put_packs(dict.fromkeys(pack_codes, pack))
        self.runs[run_id] = {"pack_codes": list(pack_codes)}

    def reserve(self, *, order_id: UUID, pack_kg: Decimal, packs: int, at: datetime) -> list[str]:
        """Promise packs to an order, nearest expiry first; never more than are there."""
        if packs <= 0:
            raise Invalid("packs must be a positive count", field="packs")
        queue = self.pack_queues.get(pack_kg, EMPTY)
        codes = [code for *_, code in islice(queue.after(at), packs)]
        if len(codes) < packs:
            raise StockShort(f"only {len(codes)} packs of {self.sku} grade {self.grade} "
                             f"{pack_kg} kg are available, {packs} asked", sku=self.sku,
                             grade=self.grade, pack_kg=str(pack_kg), available=len(codes))
        self._reserved(order_id=str(order_id), pack_codes=codes)
        return codes

    @event("Reserved")
    def _reserved(self, order_id: str, pack_codes: list[str]) -> None:
        self._put_packs({code: {**self.packs[code], "order_id": order_id} for code in pack_codes})

    def release(self, *, order_id: UUID, pack_codes: list[str]) -> None:
        self._check_reserved(order_id, pack_codes)
        self._reservation_released(order_id=str(order_id), pack_codes=pack_codes)

    @event("ReservationReleased")
    def _reservation_released(self, order_id: str, pack_codes: list[str]) -> None:
        self._put_packs({code: {**self.packs[code], "order_id": None} for code in pack_codes})

    def dispatch(self, *, shipment_id: UUID, order_id: UUID, pack_codes: list[str]) -> None:
        """Packs leave the cold store on a shipment; only packs reserved to its order may."""
        self._check_reserved(order_id, pack_codes)
        self._dispatched(shipment_id=str(shipment_id), order_id=str(order_id), pack_codes=pack_codes)

    @event("Dispatched")
    def _dispatched(self, shipment_id: str, order_id: str, pack_codes: list[str]) -> None:
        self._put_packs(dict.fromkeys(pack_codes))
        for code in pack_codes:
            self.flagged.pop(code, None)

    def flag_shelf_life(self, *, at: datetime, nearing_days: int) -> dict[str, list[str]]:
        """Flag packs still in the cold store that are past, or within ``nearing_days`` of, their
        shelf life; a pack is flagged once per level, so flagging again records nothing."""
        soon = at + timedelta(days=nearing_days)
        expired = sorted(c for c, p in self.packs.items()
                         if p["expires_at"] <= at and self.flagged.get(c) != "expired")
        nearing = sorted(c for c, p in self.packs.items()
                         if at < p["expires_at"] <= soon and c not in self.flagged)
        if expired or nearing:
            self._shelf_life_flagged(flagged_at=at, expired=expired, nearing=nearing)
        return {"expired": expired, "nearing": nearing}

    @event("ShelfLifeFlagged")
    def _shelf_life_flagged(self, flagged_at: datetime, expired: list[str],
                            nearing: list[str]) -> None:
        self.flagged.update(dict.fromkeys(nearing, "nearing"))
        self.flagged.update(dict.fromkeys(expired, "expired"))

    def available(self, pack_kg: Decimal, at: datetime) -> list[str]:
        """Unreserved, unexpired packs of a weight, FEFO: nearest expiry, then oldest packed."""
        return [code for *_, code in self.pack_queues.get(pack_kg, EMPTY).after(at)]

    @property
    def records_held(self) -> int:
        """Lots, packs and packing runs: what a snapshot of it writes."""
        return len(self.lots) + len(self.packs) + len(self.runs)

    def _fefo(self, site_id: str, need: Decimal, at: datetime) -> list[dict[str, Any]]:
        draws, left = [], need
        for *_, code in self.lot_queues.get(site_id, EMPTY).after(at):
            take = min(left, self.lots[code]["kg"])
            draws.append({"batch_code": code, "kg": take})
            left -= take
            if left == 0:
                return draws
        raise StockShort(f"only {need - left} kg of {self.sku} grade {self.grade} is graded and "
                         f"unpacked at {site_id}, {need} kg needed", sku=self.sku, grade=self.grade,
                         available_kg=str(need - left))

    def _named(self, site_id: str, named: list[dict[str, Any]], need: Decimal,
               at: datetime) -> list[dict[str, Any]]:
        merged: dict[str, Decimal] = {}
        for s in named:
            merged[s["batch_code"]] = merged.get(s["batch_code"], Decimal(0)) + s["kg"]
        sources: list[dict[str, Any]] = [{"batch_code": c, "kg": k} for c, k in merged.items()]
        if sum((s["kg"] for s in sources), Decimal(0)) != need:
            raise Invalid(f"sources add up to {sum(s['kg'] for s in sources)} kg but "
                          f"{need} kg is packed", field="sources")
        for s in sources:
            lot = self.lots.get(s["batch_code"])
            if lot is None or lot["site_id"] != site_id:
                raise Conflict(f"batch {s['batch_code']} has no graded {self.sku} grade "
                               f"{self.grade} at {site_id}", batch_code=s["batch_code"])
            if lot["kg"] < s["kg"]:
                raise StockShort(f"batch {s['batch_code']} has {lot['kg']} kg of grade "
                                 f"{self.grade} left, {s['kg']} kg asked",
                                 batch_code=s["batch_code"], available_kg=str(lot["kg"]))
            if lot["expires_at"] <= at:
                raise Conflict(f"batch {s['batch_code']} is past its shelf life")
        return sources

    def _check_reserved(self, order_id: UUID, pack_codes: list[str]) -> None:
        for code in pack_codes:
            pack = self.packs.get(code)
            if pack is None or pack["order_id"] != str(order_id):
                raise PackNotReserved(f"pack {code} is not reserved for this order", pack_code=code)

    def _put_packs(self, changes: dict[str, Record | None]) -> None:
        put(self.packs, self.pack_queues, changes, pack_entry)

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Stored snapshots, old and new, hold no queues."""
        restore(state)


class StockShort(Conflict):
    pass


class PackNotReserved(Conflict):
    pass

