"""The stock of one product and grade at one cold store: graded kg per batch, and its packs.

It is the consistency boundary of packing and reserving at that cold store: two clerks can
never draw the same kilogram or be promised the same pack, because both change this one
aggregate, while work at another cold store changes another. It holds what is in the cold
store now: a lot leaves when its last kilogram is packed and a pack when it is dispatched;
the events keep them as facts. FEFO queues kept beside the records say what to draw or
reserve first without sorting them (``domain.stock_state``); ``reserve_fefo`` merges them
across the cold stores an order draws from.

The co-op-wide stock of a product and grade (no site) lists the cold stores that have a
stock of it. Before stocks were split by cold store it held every lot, pack and packing run
of the co-op; it still loads, and hands what it holds at a cold store to that cold store's
stock when that stock is opened (``open_site``).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from itertools import islice, repeat
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, Invalid
from domain.fefo import Entry, FefoQueue
from domain.stock_state import EMPTY, Record, Records, StockSnapshot, lot_entry, pack_entry, put, restore
from domain.topics import stable_topics
from domain.values import id_for, short_code

MAX_PACKS_PER_RUN = 5000


@stable_topics("Stock")
class Stock(Aggregate):
    # 2: FEFO queues in memory, built again from the records; stored snapshots keep the shape of
    # 1, with a site and the sites of a co-op-wide stock since stocks are split by cold store.
    class_version = 2
    Snapshot = StockSnapshot

    class Opened(Aggregate.Created):
        """2: a stock is of one cold store (``site_id``; None: co-op-wide, as every stock of
        version 1 was) and opens with what the co-op-wide stock held there (``held``)."""
        class_version = 2
        sku: str
        grade: str
        site_id: str | None
        held: dict[str, Any] | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.update(site_id=None, held=None)

    @event(Opened)
    def __init__(self, sku: str, grade: str, site_id: str | None = None,
                 held: dict[str, Any] | None = None) -> None:
        self.sku, self.grade, self.site_id = sku, grade, site_id
        self.lots, self.packs, self.flagged = Records(), Records(), Records()
        self.runs = Records()  # a co-op-wide stock's packing runs, from before the split
        self.sites: list[str] = []  # a co-op-wide stock's cold stores that have their own
        self.lot_queues: dict[str, FefoQueue] = {}  # per site: lots with kg left
        self.pack_queues: dict[Decimal, FefoQueue] = {}  # per pack kg: packs not reserved
        if held:
            put(self.lots, self.lot_queues, held["lots"], lot_entry)
            self._put_packs(held["packs"])
            self.flagged.update(held["flagged"])

    @staticmethod
    def create_id(sku: str, grade: str, site_id: str | None = None) -> UUID:
        return id_for("stock", f"{sku}/{grade}" if site_id is None else f"{sku}/{grade}@{site_id}")

    def open_site(self, site_id: str) -> dict[str, Any]:
        """A cold store gets its own stock of this product and grade (this stock being the
        co-op-wide one): answers what this stock still holds there, which leaves it."""
        packs = {c: p for c, p in self.packs.items() if p["site_id"] == site_id}
        held = {"lots": {c: lot for c, lot in self.lots.items() if lot["site_id"] == site_id},
                "packs": packs, "flagged": {c: f for c, f in self.flagged.items() if c in packs}}
        self._site_opened(site_id=site_id, **held)
        return held

    @event("SiteOpened")
    def _site_opened(self, site_id: str, lots: dict[str, Any], packs: dict[str, Any],
                     flagged: dict[str, str]) -> None:
        put(self.lots, self.lot_queues, dict.fromkeys(lots), lot_entry)
        self._put_packs(dict.fromkeys(packs))
        for code in flagged:
            self.flagged.pop(code, None)
        self.sites.append(site_id)

    @property
    def unsplit_sites(self) -> list[str]:
        """The cold stores this co-op-wide stock still holds lots or packs at."""
        held = {r["site_id"] for r in [*self.lots.values(), *self.packs.values()]}
        return sorted(held - set(self.sites))

    def add_lot(self, *, batch_code: str, site_id: str, kg: Decimal, expires_at: datetime,
                received_at: datetime) -> None:
        self._check_site(site_id)
        self._lot_added(batch_code=batch_code, site_id=site_id, kg=kg, expires_at=expires_at,
                        received_at=received_at)

    @event("LotAdded")
    def _lot_added(self, batch_code: str, site_id: str, kg: Decimal, expires_at: datetime,
                   received_at: datetime) -> None:
        put(self.lots, self.lot_queues, {batch_code: {
            "site_id": site_id, "kg": kg, "expires_at": expires_at, "received_at": received_at}},
            lot_entry)

    def pack(self, *, run_id: UUID, site_id: str, pack_kg: Decimal, count: int,
             packed_at: datetime, sources: list[dict[str, Any]] | None,
             mixed: bool = False, skip: AbstractSet[str] = frozenset()) -> list[str]:
        """Turn graded kg into coded packs, FEFO (passing over the batches in ``skip``:
        recalled) unless told which batches; answers the codes.

        The batches are taken one after the other, in the order drawn, so each pack holds the
        one or two batches its kilograms came from (``lineage``); a run ``mixed`` on the line
        holds every batch it drew in every pack."""
        self._check_site(site_id)
        if pack_kg <= 0:
            raise Invalid("pack_kg must be more than zero", field="pack_kg")
        if not 1 <= count <= MAX_PACKS_PER_RUN:
            raise Invalid(f"count must be 1 to {MAX_PACKS_PER_RUN}", field="count")
        need = pack_kg * count
        draws = (self._named(site_id, sources, need, packed_at) if sources
                 else self._fefo(site_id, need, packed_at, skip))
        expires_at = min(self.lots[d["batch_code"]]["expires_at"] for d in draws)
        codes = pack_codes(run_id, count)
        self._packed(run_id=str(run_id), site_id=site_id, pack_kg=pack_kg, packed_at=packed_at,
                     expires_at=expires_at, draws=draws if mixed else lineage(draws, pack_kg),
                     pack_codes=codes, mixed=mixed)
        return codes

    class Packed(Aggregate.Event):
        """2: ``mixed`` says whether every pack holds every batch drawn (every run of
        version 1 is taken so); a run that is not mixed says in each draw which packs hold
        that batch (``first_pack`` to ``last_pack``, numbered from 1 in ``pack_codes``)."""
        class_version = 2
        run_id: str
        site_id: str
        pack_kg: Decimal
        packed_at: datetime
        expires_at: datetime
        draws: list[dict[str, Any]]
        pack_codes: list[str]
        mixed: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["mixed"] = True

    @event(Packed)
    def _packed(self, run_id: str, site_id: str, pack_kg: Decimal, packed_at: datetime,
                expires_at: datetime, draws: list[dict[str, Any]], pack_codes: list[str],
                mixed: bool) -> None:
        lots: dict[str, Record | None] = {}
        for d in draws:
            lot = lots.get(d["batch_code"]) or self.lots[d["batch_code"]]
            lots[d["batch_code"]] = {**lot, "kg": lot["kg"] - d["kg"]}
        put(self.lots, self.lot_queues, {c: lot if lot and lot["kg"] > 0 else None
                                         for c, lot in lots.items()}, lot_entry)
        pack = {"site_id": site_id, "pack_kg": pack_kg, "packed_at": packed_at,
                "expires_at": expires_at, "order_id": None, "run_id": run_id}
        self._put_packs(dict.fromkeys(pack_codes, pack))
        if self.site_id is None:  # its runs were a co-op-wide stock's to remember
            self.runs[run_id] = {"pack_codes": list(pack_codes)}

    def reserve(self, *, order_id: UUID, pack_kg: Decimal, packs: int, at: datetime) -> list[str]:
        """Promise packs of this stock to an order, nearest expiry first."""
        return [code for _, code in reserve_fefo([self], sku=self.sku, grade=self.grade,
                                                 order_id=order_id, pack_kg=pack_kg, packs=packs,
                                                 at=at)]

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
        return [code for *_, code in self._free(pack_kg, at)]

    def lot_kg(self, batch_code: str) -> Decimal:
        """The graded kg of a batch not yet packed here (none once its lot has left)."""
        lot = self.lots.get(batch_code)
        return lot["kg"] if lot else Decimal(0)

    def _free(self, pack_kg: Decimal, at: datetime) -> Iterator[Entry]:
        return self.pack_queues.get(pack_kg, EMPTY).after(at)

    def _check_site(self, site_id: str) -> None:
        if self.site_id is not None and site_id != self.site_id:
            raise Conflict(f"this is the stock of {self.site_id}, not of {site_id}")

    def _fefo(self, site_id: str, need: Decimal, at: datetime,
              skip: AbstractSet[str]) -> list[dict[str, Any]]:
        draws, left = [], need
        for *_, code in self.lot_queues.get(site_id, EMPTY).after(at):
            if code in skip:
                continue
            take = min(left, self.lots[code]["kg"])
            draws.append({"batch_code": code, "kg": take})
            left -= take
            if left == 0:
                return draws
        clean = ", unpacked and not recalled" if skip else " and unpacked"
        raise StockShort(f"only {need - left} kg of {self.sku} grade {self.grade} is graded"
                         f"{clean} at {site_id}, {need} kg needed", sku=self.sku, grade=self.grade,
                         available_kg=str(need - left))

    def _named(self, site_id: str, named: list[dict[str, Any]], need: Decimal,
               at: datetime) -> list[dict[str, Any]]:
        merged: dict[str, Decimal] = {}
        for s in named:
            merged[s["batch_code"]] = merged.get(s["batch_code"], Decimal(0)) + s["kg"]
        sources: list[dict[str, Any]] = [{"batch_code": c, "kg": k} for c, k in merged.items()
                                         if k > 0]
        if sum((s["kg"] for s in sources), Decimal(0)) != need:
            raise Invalid(f"sources add up to {sum(s['kg'] for s in sources)} kg but "
                          f"{need} kg is packed", field="sources")
        for s in sources:
            lot = self.lots.get(s["batch_code"])
            if lot is None or lot["site_id"] != site_id:
                raise Conflict(f"batch {s['batch_code']} has no graded {self.sku} grade "
                               f"{self.grade} left at {site_id}", batch_code=s["batch_code"])
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
        """Stored snapshots, old and new, hold no queues; those from before the split by cold
        store hold no site."""
        state.setdefault("site_id", None)
        state.setdefault("sites", [])
        restore(state)


def pack_codes(run_id: UUID, count: int) -> list[str]:
    """The codes of a packing run's packs, in the order packed."""
    return [f"{short_code(run_id)}-{i:04d}" for i in range(1, count + 1)]


def lineage(draws: list[dict[str, Any]], pack_kg: Decimal) -> list[dict[str, Any]]:
    """The draws, each with the packs that hold its batch, the batches being taken one after
    the other: pack n holds the kilograms from (n - 1) × pack_kg to n × pack_kg of the run,
    so a pack where one batch ends and the next begins holds both."""
    answer, start = [], Decimal(0)
    for d in draws:
        end = start + d["kg"]
        answer.append({**d, "first_pack": int(start // pack_kg) + 1,
                       "last_pack": int((end / pack_kg).to_integral_value(ROUND_CEILING))})
        start = end
    return answer


def packs_of_draw(draw: dict[str, Any], codes: list[str], mixed: bool) -> list[str]:
    """The codes of a run's packs that hold the batch of one of its draws."""
    return codes if mixed else codes[draw["first_pack"] - 1:draw["last_pack"]]


def reserve_fefo(stocks: Iterable[Stock], *, sku: str, grade: str, order_id: UUID,
                 pack_kg: Decimal, packs: int, at: datetime,
                 skip: AbstractSet[str] = frozenset()) -> list[tuple[Stock, str]]:
    """Promise packs to an order from the stocks, nearest expiry first across all of them,
    passing over those in ``skip`` (recalled); never more than are there. Answers each pack
    promised, in that order, with its stock."""
    if packs <= 0:
        raise Invalid("packs must be a positive count", field="packs")
    held = list(stocks)
    merged = heapq.merge(*[zip(s._free(pack_kg, at), repeat(i)) for i, s in enumerate(held)])
    free = ((held[i], code) for (*_, code), i in merged if code not in skip)
    taken = list(islice(free, packs))
    if len(taken) < packs:
        clean = " that are not recalled" if skip else ""
        raise StockShort(f"only {len(taken)} packs of {sku} grade {grade} {pack_kg} kg are "
                         f"available{clean}, {packs} asked", sku=sku, grade=grade,
                         pack_kg=str(pack_kg), available=len(taken))
    by_stock: dict[int, tuple[Stock, list[str]]] = {}
    for stock, code in taken:
        by_stock.setdefault(id(stock), (stock, []))[1].append(code)
    for stock, codes in by_stock.values():
        stock._reserved(order_id=str(order_id), pack_codes=codes)
    return taken


class StockShort(Conflict):
    pass


class PackNotReserved(Conflict):
    pass
