"""The cold store: intake scans, holds, grading, cold-room readings and packing runs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.batch import Batch, UnknownBatch, check_grades
from domain.cold_room import ColdRoom
from domain.errors import Invalid
from domain.farmer import Farmer
from domain.product import Product
from domain.site import Site
from domain.stock import Stock
from domain.usecases.base import command
from domain.usecases.inputs import Inputs
from domain.values import command_id, kg, utc


class ColdStore(Inputs):
    @command
    def receive_batch(self, *, batch_code: str, site_id: str, farmer_id: str, sku: str,
                      harvested_at: datetime, net_kg: Decimal | str, scanned_at: datetime,
                      crates: int | None = None,
                      temperature_c: Decimal | None = None) -> dict[str, Any]:
        """Scan a batch in; the same scan twice answers the first intake again."""
        net = kg(net_kg, field="net_kg")
        self.prefetch(Batch.create_id(batch_code), Site.create_id(site_id),
                      Farmer.create_id(farmer_id), Product.create_id(sku))
        earlier = self.find(Batch.create_id(batch_code))
        if earlier is not None:
            earlier.check_same_intake(site_id=site_id, farmer_id=farmer_id, sku=sku,
                                      harvested_at=harvested_at, net_kg=net)
            return self.intake_answer(earlier)
        self.site(site_id, "cold_store")
        farmer = self.farmer(farmer_id)
        product = self.product(sku, "produce")
        applications = farmer.applications_to(sku, harvested_at)
        batch = Batch.receive(batch_code=batch_code, site_id=site_id, farmer_id=farmer_id,
                              sku=sku, harvested_at=harvested_at, net_kg=net, crates=crates,
                              temperature_c=temperature_c, scanned_at=scanned_at,
                              shelf_life_days=product.spec["shelf_life_days"],
                              applications=applications)
        self.save(batch)
        return self.intake_answer(batch)

    @staticmethod
    def intake_answer(batch: Batch) -> dict[str, Any]:
        return {"batch_code": batch.batch_code, "status": batch.status, "holds": batch.holds}

    @command
    def grade_batch(self, *, batch_code: str, graded_at: datetime, grades: dict[str, Any],
                    reject_kg: Decimal | str) -> dict[str, Any]:
        """Grade once; the farmer earns graded kg × the price in force. A repeat answers again."""
        batch = self.batch(batch_code)
        grades_kg, reject = check_grades(grades, reject_kg)
        done = batch.grading
        if done and (done["graded_at"], done["grades_kg"], done["reject_kg"]) == (
                graded_at, grades_kg, reject):
            return self.grading_answer(batch)
        product = self.product(batch.sku)
        prices = {g: product.price_on(graded_at, g) for g in grades_kg if grades_kg[g] > 0}
        positive = {g: k for g, k in grades_kg.items() if k > 0}
        batch.grade(graded_at=graded_at, grades=positive, reject_kg=reject, price_fen_per_kg=prices)
        stocks = []
        for grade, graded in positive.items():
            stock = self.load_or_open(Stock, sku=batch.sku, grade=grade)
            stock.add_lot(batch_code=batch_code, site_id=batch.site_id, kg=graded,
                          expires_at=batch.expires_at, received_at=batch.scanned_at)
            stocks.append(stock)
        self.save(batch, *stocks)
        return self.grading_answer(batch)

    @staticmethod
    def grading_answer(batch: Batch) -> dict[str, Any]:
        assert batch.grading is not None
        return {"batch_code": batch.batch_code, **batch.grading,
                "earned_total_fen": sum(batch.grading["earned_fen"].values())}

    @command
    def release_batch(self, *, batch_code: str, reason: str, at: datetime) -> dict[str, Any]:
        batch = self.batch(batch_code)
        batch.release(reason=reason, released_at=at)
        self.save(batch)
        return self.intake_answer(batch)

    @command
    def destroy_batch(self, *, batch_code: str, reason: str, at: datetime) -> dict[str, Any]:
        batch = self.batch(batch_code)
        batch.destroy(reason=reason, destroyed_at=at)
        self.save(batch)
        return self.intake_answer(batch)

    @command
    def log_temperatures(self, *, site_id: str, room: str,
                         readings: list[dict[str, Any]]) -> dict[str, Any]:
        """Log a room's readings; each excursion names the products whose range it left."""
        self.site(site_id, "cold_store")
        if not readings:
            raise Invalid("readings must not be empty", field="readings")
        ranges = {}
        for sku in self.catalogue().produce:
            spec = self.product(sku).spec
            ranges[sku] = (spec["temp_min_c"], spec["temp_max_c"])
        cold_room = self.load_or_open(ColdRoom, site_id=site_id, room=room)
        excursions = cold_room.log(readings=[
            {"at": utc(r["at"], field=f"readings[{i}].at"), "celsius": r["celsius"]}
            for i, r in enumerate(readings)], ranges=ranges)
        self.save(cold_room)
        return {"accepted": len(readings), "excursions": excursions}

    @command
    def run_packing(self, *, site_id: str, sku: str, grade: str, pack_kg: Decimal | str,
                    count: int, packed_at: datetime, sources: list[dict[str, Any]] | None = None,
                    key: str | None = None) -> dict[str, Any]:
        """Pack graded kg into coded packs: FEFO, or from the named batches if not on hold."""
        self.site(site_id, "cold_store")
        self.product(sku, "produce")
        named = [{"batch_code": s["batch_code"], "kg": kg(s["kg"], field="sources.kg")}
                 for s in sources or []]
        for source in named:
            self.batch(source["batch_code"]).check_packable(sku=sku, grade=grade)
        run_id = command_id("packing_run", key)
        stock = self.load_or_open(Stock, sku=sku, grade=grade)
        codes = stock.pack(run_id=run_id, site_id=site_id, pack_kg=kg(pack_kg, field="pack_kg"),
                           count=count, packed_at=packed_at, sources=named or None)
        self.save(stock)
        return {"run_id": str(run_id), "pack_codes": codes}

    def batch(self, batch_code: str) -> Batch:
        return self.load(Batch, Batch.create_id(batch_code), UnknownBatch(batch_code))

    def describe_batch(self, batch_code: str) -> dict[str, Any]:
        """A batch now: status, holds, graded kg left unpacked per grade, and its history."""
        batch = self.batch(batch_code)
        remaining = {}
        for grade in (batch.grading or {}).get("grades_kg", {}):
            stock = self.load_or_open(Stock, sku=batch.sku, grade=grade)
            remaining[grade] = stock.lots[batch_code]["kg"]
        history = [{"event": type(e).__name__, "at": getattr(e, "timestamp", None)}
                   for e in self.events.get(batch.id)]
        return {"batch_code": batch_code, "site_id": batch.site_id, "farmer_id": batch.farmer_id,
                "sku": batch.sku, "harvested_at": batch.harvested_at, "net_kg": batch.net_kg,
                "expires_at": batch.expires_at, "status": batch.status, "holds": batch.holds,
                "graded_kg_remaining": remaining, "history": history}
