"""The cold store: intake scans, holds, grading, cold-room readings and packing runs.

Loads the site, farmer and product named; saves ``Batch``, ``Stock`` (the cold store's, see
``domain.usecases.stocks``), ``PackingRun`` (with the batches its packs hold) and ``ColdRoom``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.batch import Batch, UnknownBatch, check_grades
from domain.cold_room import ColdRoom
from domain.errors import Invalid
from domain.farmer import Farmer
from domain.packing_run import PackingRun
from domain.product import Product, allowed_range
from domain.recall_register import RecallRegister
from domain.site import Site
from domain.stock import Stock
from domain.usecases.blocking import register_of
from domain.usecases.stocks import site_stock
from domain.usecases.store import Store, command, load_catalogue, load_farmer, load_product, load_site
from domain.values import command_id, kg, utc


@command
def receive_batch(store: Store, *, batch_code: str, site_id: str, farmer_id: str, sku: str,
                  harvested_at: datetime, net_kg: Decimal | str, scanned_at: datetime,
                  crates: int | None = None,
                  temperature_c: Decimal | None = None) -> dict[str, Any]:
    """Scan a batch in; the same scan twice answers the first intake again."""
    net = kg(net_kg, field="net_kg")
    store.prefetch(Batch.create_id(batch_code), Site.create_id(site_id),
                   Farmer.create_id(farmer_id), Product.create_id(sku))
    earlier = store.find(Batch.create_id(batch_code))
    if earlier is not None:
        earlier.check_same_intake(site_id=site_id, farmer_id=farmer_id, sku=sku,
                                  harvested_at=harvested_at, net_kg=net)
        return intake_answer(earlier)
    load_site(store, site_id, "cold_store")
    farmer = load_farmer(store, farmer_id)
    product = load_product(store, sku, "produce")
    applications = farmer.applications_to(sku, harvested_at)
    batch = Batch.receive(batch_code=batch_code, site_id=site_id, farmer_id=farmer_id,
                          sku=sku, harvested_at=harvested_at, net_kg=net, crates=crates,
                          temperature_c=temperature_c, scanned_at=scanned_at,
                          shelf_life_days=product.spec["shelf_life_days"],
                          applications=applications)
    store.save(batch)
    return intake_answer(batch)


def intake_answer(batch: Batch) -> dict[str, Any]:
    return {"batch_code": batch.batch_code, "status": batch.status, "holds": batch.holds}


@command
def grade_batch(store: Store, *, batch_code: str, graded_at: datetime, grades: dict[str, Any],
                reject_kg: Decimal | str) -> dict[str, Any]:
    """Grade once; the farmer earns graded kg × the price in force. A repeat answers again."""
    batch = load_batch(store, batch_code)
    grades_kg, reject = check_grades(grades, reject_kg)
    done = batch.grading
    if done and (done["graded_at"], done["grades_kg"], done["reject_kg"]) == (
            graded_at, grades_kg, reject):
        return grading_answer(batch)
    positive = {g: k for g, k in grades_kg.items() if k > 0}
    store.prefetch(Product.create_id(batch.sku),
                   *(Stock.create_id(batch.sku, g, batch.site_id) for g in positive))
    product = load_product(store, batch.sku)
    prices = {g: product.price_on(graded_at, g) for g in positive}
    batch.grade(graded_at=graded_at, grades=positive, reject_kg=reject, price_fen_per_kg=prices)
    stocks = []
    for grade, graded in positive.items():
        stock, opened = site_stock(store, batch.sku, grade, batch.site_id)
        stock.add_lot(batch_code=batch_code, site_id=batch.site_id, kg=graded,
                      expires_at=batch.expires_at, received_at=batch.scanned_at)
        stocks += [stock, *opened]
    store.save(batch, *stocks)
    return grading_answer(batch)


def grading_answer(batch: Batch) -> dict[str, Any]:
    assert batch.grading is not None
    return {"batch_code": batch.batch_code, **batch.grading,
            "earned_total_fen": sum(batch.grading["earned_fen"].values())}


@command
def correct_intake(store: Store, *, batch_code: str, net_kg: Decimal | str, reason: str,
                   at: datetime) -> dict[str, Any]:
    """A wrong intake weight corrected, with the reason; grading weighs against the new kg."""
    batch = load_batch(store, batch_code)
    batch.correct_net_kg(net_kg=kg(net_kg, field="net_kg"), reason=reason, corrected_at=at)
    store.save(batch)
    return {**intake_answer(batch), "net_kg": batch.net_kg}


@command
def release_batch(store: Store, *, batch_code: str, reason: str, at: datetime) -> dict[str, Any]:
    batch = load_batch(store, batch_code)
    batch.release(reason=reason, released_at=at)
    store.save(batch)
    return intake_answer(batch)


@command
def destroy_batch(store: Store, *, batch_code: str, reason: str, at: datetime) -> dict[str, Any]:
    batch = load_batch(store, batch_code)
    batch.destroy(reason=reason, destroyed_at=at)
    store.save(batch)
    return intake_answer(batch)


@command
def log_temperatures(store: Store, *, site_id: str, room: str,
                     readings: list[dict[str, Any]]) -> dict[str, Any]:
    """Log a room's readings; each excursion names the products whose range it left."""
    load_site(store, site_id, "cold_store")
    if not readings:
        raise Invalid("readings must not be empty", field="readings")
    ranges = {sku: allowed_range(load_product(store, sku).spec)
              for sku in load_catalogue(store).produce}
    cold_room = store.load_or_open(ColdRoom, site_id=site_id, room=room)
    excursions = cold_room.log(readings=[
        {"at": utc(r["at"], field=f"readings[{i}].at"), "celsius": r["celsius"]}
        for i, r in enumerate(readings)], ranges=ranges)
    store.save(cold_room)
    return {"accepted": len(readings), "excursions": excursions}


@command
def run_packing(store: Store, *, site_id: str, sku: str, grade: str, pack_kg: Decimal | str,
                count: int, packed_at: datetime, sources: list[dict[str, Any]] | None = None,
                mixed: bool = False, key: str | None = None) -> dict[str, Any]:
    """Pack graded kg into coded packs at a cold store: FEFO, or from the named batches if not
    on hold, taken one after the other unless the run is ``mixed``. The same run twice (the
    same key) answers its codes again."""
    run_id = command_id("packing_run", key)
    coop_id = Stock.create_id(sku, grade)
    store.prefetch(run_id, Stock.create_id(sku, grade, site_id), coop_id, Site.create_id(site_id),
                   Product.create_id(sku), RecallRegister.create_id())
    earlier = store.find(run_id)
    if earlier is not None:
        return {"run_id": str(run_id), "pack_codes": earlier.pack_codes}
    coop = store.find(coop_id)
    if coop is not None and str(run_id) in coop.runs:  # a run of before the split by cold store
        return {"run_id": str(run_id), "pack_codes": list(coop.runs[str(run_id)]["pack_codes"])}
    load_site(store, site_id, "cold_store")
    load_product(store, sku, "produce")
    named = [{"batch_code": s["batch_code"], "kg": kg(s["kg"], field="sources.kg")}
             for s in sources or []]
    for source in named:
        load_batch(store, source["batch_code"]).check_packable(sku=sku, grade=grade)
    stock, opened = site_stock(store, sku, grade, site_id)
    register = register_of(store)
    register.check_batches(s["batch_code"] for s in named)
    codes = stock.pack(run_id=run_id, site_id=site_id, pack_kg=kg(pack_kg, field="pack_kg"),
                       count=count, packed_at=packed_at, sources=named or None, mixed=mixed,
                       skip=register.batches)
    # The batches the run drew, as the Packed event it just recorded says: the run keeps
    # them, so the dispatch that first ships a batch's packs issues its certificate.
    draws = [d for e in stock.pending_events if type(e).__name__ == "Packed"
             for d in getattr(e, "draws", [])]
    run = PackingRun(id=run_id, site_id=site_id, sku=sku, grade=grade, count=count,
                     packed_at=packed_at, draws=draws, mixed=mixed)
    store.save(run, stock, *opened)
    return {"run_id": str(run_id), "pack_codes": codes}


def load_batch(store: Store, batch_code: str) -> Batch:
    return store.load(Batch, Batch.create_id(batch_code), UnknownBatch(batch_code))


def describe_batch(store: Store, batch_code: str) -> dict[str, Any]:
    """A batch now: status, holds, graded kg left unpacked per grade, and its history."""
    batch = load_batch(store, batch_code)
    remaining = {}
    for grade in (batch.grading or {}).get("grades_kg", {}):
        stock = (store.find(Stock.create_id(batch.sku, grade, batch.site_id))
                 or store.find(Stock.create_id(batch.sku, grade)))  # not yet handed over
        remaining[grade] = stock.lot_kg(batch_code) if stock is not None else Decimal(0)
    history = [{"event": type(e).__name__, "at": getattr(e, "timestamp", None)}
               for e in store.events.get(batch.id)]
    return {"batch_code": batch_code, "site_id": batch.site_id, "farmer_id": batch.farmer_id,
            "sku": batch.sku, "harvested_at": batch.harvested_at, "net_kg": batch.net_kg,
            "expires_at": batch.expires_at, "status": batch.status, "holds": batch.holds,
            "graded_kg_remaining": remaining, "history": history}
