"""The EPCIS view: every mapped domain event, and every partner event captured, as EPCIS 2.0
events with what the standard query filters on.

The mapping itself is ``projections.epcis.mapping`` (a pure function); this projection only
looks up the facts it needs from its own small tables and writes the answers, so rebuilding
it from the log gives the same events with the same ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from domain.batch import Batch
from domain.farmer import Farmer
from domain.site import Site
from projections.base import Need, Projection, Rows, on
from projections.epcis.identifiers import Identifiers
from projections.epcis.index import row_of
from projections.epcis.mapping import corrected_intake, epcis_events
from projections.epcis.tables import (
    ALL,
    BATCHES,
    EPCS,
    EVENTS,
    FARMER_INTAKES,
    FARMERS,
    PACKS,
    RECALLS,
    ROOMS,
    RUNS,
    SCOPES,
    SHELVES,
    SHIPMENTS,
    SITES,
    STOCKS,
)
from projections.tables import dumps, loads, moment, us
from projections.trace.queries import mask

# Room in ``seq`` for the EPCIS events of one domain event: a packing run (at most 5,000 packs)
# maps to one per stretch of packs holding the same batches.
PER_EVENT = 10_000


def _own(table: Any) -> Any:
    return lambda e: [(table, (str(e.originator_id),))]


@lru_cache(maxsize=1024)  # every event asks for its site's time zone: one uuid5 per site
def _site(site_id: str) -> Need:
    return (SITES, (str(Site.create_id(site_id)),))


def _batch_rows(codes: Iterable[str]) -> list[Need]:
    return [(BATCHES, (str(Batch.create_id(c)),)) for c in codes]


def _intakes(e: Any, rows: Rows) -> list[Need]:
    """A farmer's intake rows, fetched for the whole batch: a correction says each again."""
    ref = str(e.originator_id)
    farmer = rows.get(FARMERS, (ref,))
    return [(FARMER_INTAKES, (ref, n)) for n in range(farmer["intakes"] if farmer else 0)]


def _batch_needs(e: Any) -> list[Need]:
    return [(BATCHES, (str(e.originator_id),))]


class EpcisProjection(Projection):
    name = "epcis"
    tables = ALL

    def __init__(self, ids: Identifiers | None = None) -> None:
        super().__init__()
        self.ids = ids or Identifiers()

    # What the mapping needs to know, kept from the events that say it.
    @on("Farmer.Registered", "Farmer.DetailsCorrected", needs=_own(FARMERS), creates=_own(FARMERS),
        then=_intakes)
    def farmer(self, e: Any, rows: Rows, position: int) -> None:
        ref = str(e.originator_id)
        before = rows.get(FARMERS, (ref,))
        row = {**(before or {"farmer_ref": ref, "farmer_id": e.farmer_id, "intakes": 0}),
               "name": e.name, "village": e.village}
        if before and (mask(before["name"]), before["village"]) != (mask(e.name), e.village):
            self._correct(rows, position, e, row)
        rows.put(FARMERS, row)

    def _correct(self, rows: Rows, position: int, e: Any, farmer: dict[str, Any]) -> None:
        """The farmer's intakes said again with the corrected name and village, the old ones
        declared wrong; each intake's row then names the event that now stands."""
        for n in range(farmer["intakes"]):
            intake = rows.get(FARMER_INTAKES, (farmer["farmer_ref"], n))
            assert intake is not None
            stored = rows.get(EVENTS, (intake["event_id"],))
            assert stored is not None
            declared, corrective = corrected_intake(
                loads(stored["doc"]), display_name=mask(e.name), village=e.village,
                declared_at=e.timestamp, ids=self.ids)
            rows.put(EVENTS, {**stored, "doc": dumps(declared)})
            self.write(rows, position * PER_EVENT + n, corrective, origin="gongxiao",
                       recorded=e.timestamp,
                       scopes=[f"site:{intake['site_id']}", f"farmer:{farmer['farmer_id']}"])
            rows.put(FARMER_INTAKES, {**intake, "event_id": corrective["eventID"]})

    @on("Site.Registered", "Site.DetailsCorrected", needs=_own(SITES), creates=_own(SITES))
    def site(self, e: Any, rows: Rows, _: int) -> None:
        ref = str(e.originator_id)
        row = rows.get(SITES, (ref,)) or {"site_ref": ref, "site_id": e.site_id}
        rows.put(SITES, {**row, "timezone": e.timezone})

    @on("Stock.Opened", creates=_own(STOCKS))
    def stock(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(STOCKS, {"stock_id": str(e.originator_id), "sku": e.sku, "grade": e.grade})

    @on("Shelf.Opened", creates=_own(SHELVES))
    def shelf(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(SHELVES, {"shelf_ref": str(e.originator_id), "outlet_id": e.outlet_id})

    @on("ColdRoom.Opened", creates=_own(ROOMS))
    def room(self, e: Any, rows: Rows, _: int) -> None:
        rows.put(ROOMS, {"room_ref": str(e.originator_id), "site_id": e.site_id, "room": e.room})

    # The flow, mapped.
    @on("Batch.Received", creates=_batch_needs, needs=lambda e: [
        (FARMERS, (str(Farmer.create_id(e.farmer_id)),)), _site(e.site_id)])
    def received(self, e: Any, rows: Rows, position: int) -> None:
        rows.put(BATCHES, {"batch_id": str(e.originator_id), "batch_code": e.batch_code,
                           "sku": e.sku, "site_id": e.site_id, "farmer_id": e.farmer_id,
                           "scanned_us": us(e.scanned_at), "events": dumps([])})
        farmer = rows.get(FARMERS, (str(Farmer.create_id(e.farmer_id)),)) or {}
        facts = {"zone": self._zone(rows, e.site_id),
                 "farmer_display_name": mask(farmer.get("name") or ""),
                 "farmer_village": farmer.get("village") or ""}
        written = self._record(rows, position, "Batch.Received", e, facts,
                               [f"site:{e.site_id}", f"farmer:{e.farmer_id}"])
        batch = rows.get(BATCHES, (str(e.originator_id),))
        assert batch is not None
        rows.put(BATCHES, {**batch, "events": dumps(written)})
        if farmer:
            for n, event_id in enumerate(written, start=farmer["intakes"]):
                rows.put(FARMER_INTAKES, {"farmer_ref": farmer["farmer_ref"], "n": n,
                                          "event_id": event_id, "site_id": e.site_id})
            rows.put(FARMERS, {**farmer, "intakes": farmer["intakes"] + len(written)})

    @on("Batch.PutOnHold", "Batch.Released", "Batch.Destroyed", "Batch.Graded",
        needs=_batch_needs)
    def batch_changed(self, e: Any, rows: Rows, position: int) -> None:
        batch = rows.get(BATCHES, (str(e.originator_id),))
        assert batch is not None
        facts = {**batch, "zone": self._zone(rows, batch["site_id"]),
                 "scanned_at": moment(batch["scanned_us"])}
        written = self._record(rows, position, f"Batch.{type(e).__name__}", e, facts,
                               [f"site:{batch['site_id']}", f"farmer:{batch['farmer_id']}"])
        rows.put(BATCHES, {**batch, "events": dumps(loads(batch["events"]) + written)})

    @on("Stock.Packed", needs=lambda e: [*_own(STOCKS)(e), _site(e.site_id), *(
        (BATCHES, (str(Batch.create_id(d["batch_code"])),)) for d in e.draws)],
        creates=lambda e: [(PACKS, (c,)) for c in e.pack_codes])
    def packed(self, e: Any, rows: Rows, position: int) -> None:
        stock = rows.get(STOCKS, (str(e.originator_id),))
        assert stock is not None
        for code in e.pack_codes:
            rows.put(PACKS, {"pack_code": code, "sku": stock["sku"], "grade": stock["grade"],
                             "site_id": e.site_id, "run_id": e.run_id})
        batches = [b for b in (rows.get(BATCHES, (str(Batch.create_id(d["batch_code"])),))
                               for d in e.draws) if b]
        written = self._record(rows, position, "Stock.Packed", e,
                               {**stock, "zone": self._zone(rows, e.site_id)},
                               [f"site:{e.site_id}",
                                *(f"farmer:{f}" for f in sorted({b["farmer_id"] for b in batches}))])
        lineage = written + [i for b in batches for i in loads(b["events"])]
        rows.put(RUNS, {"run_id": e.run_id, "lineage": dumps(lineage)})

    @on("Shipment.Departed", creates=_own(SHIPMENTS),
        needs=lambda e: [(PACKS, (p["pack_code"],)) for p in e.packs])
    def departed(self, e: Any, rows: Rows, position: int) -> None:
        packs = [p for p in (rows.get(PACKS, (x["pack_code"],)) for x in e.packs) if p]
        site_id = packs[0]["site_id"] if packs else None
        # What an outlet bought, it may trace back: the packing and batches behind its packs.
        for run_id in sorted({p["run_id"] for p in packs}):
            run = rows.get(RUNS, (run_id,))
            for event_id in loads(run["lineage"]) if run else []:
                rows.put(SCOPES, {"scope": f"site:{e.outlet_id}", "event_id": event_id})
        rows.put(SHIPMENTS, {"shipment_id": str(e.originator_id), "order_id": e.order_id,
                             "outlet_id": e.outlet_id, "site_id": site_id})
        facts = {"site_id": site_id, "zone": self._zone(rows, site_id)}
        self._record(rows, position, "Shipment.Departed", e, facts,
                     [f"site:{e.outlet_id}", *([f"site:{site_id}"] if site_id else [])])

    @on("Shipment.Delivered", needs=lambda e: [*_own(SHIPMENTS)(e),
                                               *((PACKS, (c,)) for c in e.received)])
    def delivered(self, e: Any, rows: Rows, position: int) -> None:
        shipment = rows.get(SHIPMENTS, (str(e.originator_id),))
        assert shipment is not None
        packs = {c: p for c in e.received if (p := rows.get(PACKS, (c,)))}
        facts = {**shipment, "packs": packs, "zone": self._zone(rows, shipment["outlet_id"])}
        self._record(rows, position, "Shipment.Delivered", e, facts,
                     [f"site:{shipment['outlet_id']}",
                      *([f"site:{shipment['site_id']}"] if shipment["site_id"] else [])])

    @on("Shelf.Sold", needs=lambda e: [*_own(SHELVES)(e), (PACKS, (e.pack_code,))])
    def sold(self, e: Any, rows: Rows, position: int) -> None:
        shelf = rows.get(SHELVES, (str(e.originator_id),))
        pack = rows.get(PACKS, (e.pack_code,))
        if shelf is None or pack is None:
            return
        facts = {"outlet_id": shelf["outlet_id"], "pack": pack,
                 "zone": self._zone(rows, shelf["outlet_id"])}
        self._record(rows, position, "Shelf.Sold", e, facts, [f"site:{shelf['outlet_id']}"])

    @on("ColdRoom.ReadingsLogged", needs=_own(ROOMS))
    def readings(self, e: Any, rows: Rows, position: int) -> None:
        room = rows.get(ROOMS, (str(e.originator_id),))
        assert room is not None
        facts = {**room, "zone": self._zone(rows, room["site_id"])}
        self._record(rows, position, "ColdRoom.ReadingsLogged", e, facts,
                     [f"site:{room['site_id']}"])

    @on("Farmer.InputApplied", needs=_own(FARMERS))
    def applied(self, e: Any, rows: Rows, position: int) -> None:
        farmer = rows.get(FARMERS, (str(e.originator_id),))
        assert farmer is not None
        self._record(rows, position, "Farmer.InputApplied", e,
                     {"farmer_id": farmer["farmer_id"]}, [f"farmer:{farmer['farmer_id']}"])

    @on("Recall.Opened", creates=_own(RECALLS), needs=lambda e: _batch_rows(e.batch_codes))
    def recall_opened(self, e: Any, rows: Rows, position: int) -> None:
        rows.put(RECALLS, {"recall_id": str(e.originator_id), "drill": int(e.drill),
                           "level": e.level, "scopes": dumps([])})
        self.recalled(e, rows, position)

    @on("Recall.Widened", needs=lambda e: [*_own(RECALLS)(e), *_batch_rows(e.batch_codes)])
    def recalled(self, e: Any, rows: Rows, position: int) -> None:
        """The packs and batches a recall takes; it is seen where they are and by the farmers
        who supplied them (and, from then on, wherever its packs are found)."""
        recall = rows.get(RECALLS, (str(e.originator_id),))
        assert recall is not None
        batches = [b for b in (rows.get(*need) for need in _batch_rows(e.batch_codes)) if b]
        scopes = sorted({*loads(recall["scopes"]),
                         *(f"site:{p['place']}" for p in e.packs if p["place"]),
                         *(f"site:{b['site_id']}" for b in batches),
                         *(f"farmer:{b['farmer_id']}" for b in batches)})
        rows.put(RECALLS, {**recall, "scopes": dumps(scopes)})
        facts = {"drill": bool(recall["drill"]), "level": recall["level"],
                 "batches": {b["batch_code"]: b["sku"] for b in batches}}
        self._record(rows, position, f"Recall.{type(e).__name__}", e, facts, scopes)

    @on("Recall.PackAccounted", needs=lambda e: [*_own(RECALLS)(e), (PACKS, (e.pack_code,))])
    def accounted(self, e: Any, rows: Rows, position: int) -> None:
        recall = rows.get(RECALLS, (str(e.originator_id),))
        assert recall is not None
        scopes = sorted({*loads(recall["scopes"]), f"site:{e.place}"})
        rows.put(RECALLS, {**recall, "scopes": dumps(scopes)})
        facts = {"drill": bool(recall["drill"]), "pack": rows.get(PACKS, (e.pack_code,)),
                 "zone": self._zone(rows, e.place)}
        self._record(rows, position, "Recall.PackAccounted", e, facts, [f"site:{e.place}"])

    @on("Recall.Closed", needs=lambda e: [*_own(RECALLS)(e), *((PACKS, (c,)) for c in e.outstanding)])
    def closed(self, e: Any, rows: Rows, position: int) -> None:
        recall = rows.get(RECALLS, (str(e.originator_id),))
        assert recall is not None
        packs = {c: p for c in e.outstanding if (p := rows.get(PACKS, (c,)))}
        self._record(rows, position, "Recall.Closed", e,
                     {"drill": bool(recall["drill"]), "packs": packs}, loads(recall["scopes"]))

    @on("Certificate.Issued", needs=lambda e: _batch_rows([e.batch_code]))
    def certified(self, e: Any, rows: Rows, position: int) -> None:
        batch = rows.get(*_batch_rows([e.batch_code])[0])
        if batch is None:
            return
        self._record(rows, position, "Certificate.Issued", e,
                     {"site_id": batch["site_id"], "zone": self._zone(rows, batch["site_id"])},
                     [f"site:{batch['site_id']}", f"farmer:{batch['farmer_id']}"])

    @on("PartnerEvent.Captured")
    def captured(self, e: Any, rows: Rows, position: int) -> None:
        """A partner's event, kept as it was sent (with the id it was stored under)."""
        self.write(rows, position * PER_EVENT, e.event, origin="captured",
                   recorded=e.timestamp,
                   scopes=[] if e.captured_by == "admin" else [e.captured_by])

    def _record(self, rows: Rows, position: int, name: str, e: Any, facts: dict[str, Any],
                scopes: Iterable[str]) -> list[str]:
        """Write the EPCIS events of a domain event; answers their ids."""
        chosen, ids = list(scopes), []
        for i, event in enumerate(epcis_events(name, e, facts, self.ids)):
            self.write(rows, position * PER_EVENT + i, event, origin="gongxiao",
                       recorded=e.timestamp, scopes=chosen)
            ids.append(event["eventID"])
        return ids

    @staticmethod
    def write(rows: Rows, seq: int, event: dict[str, Any], *, origin: str, recorded: Any,
              scopes: Iterable[str]) -> None:
        row, epcs = row_of(event, seq=seq, origin=origin, recorded=recorded)
        rows.put(EVENTS, row)
        for epc, role in epcs:
            rows.put(EPCS, {"epc": epc, "role": role, "event_id": row["event_id"]})
        for scope in scopes:
            rows.put(SCOPES, {"scope": scope, "event_id": row["event_id"]})

    @staticmethod
    def _zone(rows: Rows, site_id: str | None) -> str | None:
        site = rows.get(*_site(site_id)) if site_id else None
        return site["timezone"] if site else None
