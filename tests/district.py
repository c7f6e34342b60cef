"""A small district for tests: one cold store, a shop, two outlets, farmers, products, prices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.application import Gongxiao

T0 = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)


def at(day: float, hour: float = 0) -> datetime:
    return T0 + timedelta(days=day, hours=hour)


def seed(app: Gongxiao) -> Gongxiao:
    app.register_site(site_id="yongan", name="永安村冷库", kind="cold_store")
    app.register_site(site_id="shop", name="唐昌农资店", kind="input_shop")
    app.register_site(site_id="out-a", name="金牛直营店", kind="outlet")
    app.register_site(site_id="out-b", name="武侯直营店", kind="outlet")
    app.register_farmer(farmer_id="zhang", name="张德明", village="永安村", phone="13800000001")
    app.register_farmer(farmer_id="wang", name="王建国", village="金星村")
    app.register_product(sku="jiuhuang", name="韭黄", kind="produce", unit="kg",
                         shelf_life_days=7, temp_min_c=Decimal(0), temp_max_c=Decimal(4))
    app.register_product(sku="woshun", name="莴笋", kind="produce", unit="kg", shelf_life_days=14)
    app.register_product(sku="bichonglin", name="吡虫啉", kind="input", unit="bottle",
                         input_class="pesticide", active_ingredient="吡虫啉",
                         registration_no="PD20040001", phi_days=7)
    app.register_product(sku="fuhefei", name="复合肥", kind="input", unit="bag",
                         input_class="fertilizer")
    app.set_price(sku="jiuhuang", effective_from=at(-30), grades={"A": 1200, "B": 800})
    app.set_price(sku="woshun", effective_from=at(-30), grades={"A": 400})
    return app


def intake(app: Gongxiao, code: str, *, farmer: str = "zhang", sku: str = "jiuhuang",
           day: float = 0, net_kg: str = "100") -> dict[str, Any]:
    return app.receive_batch(batch_code=code, site_id="yongan", farmer_id=farmer, sku=sku,
                             harvested_at=at(day), net_kg=net_kg, scanned_at=at(day, 2))


def graded(app: Gongxiao, code: str, *, day: float = 0, a: str = "60", b: str = "30",
           sku: str = "jiuhuang", farmer: str = "zhang") -> dict[str, Any]:
    intake(app, code, day=day, sku=sku, farmer=farmer)
    grades = {"A": a, "B": b} if sku == "jiuhuang" else {"A": a}
    return app.grade_batch(batch_code=code, graded_at=at(day, 3), grades=grades, reject_kg="5")


def packs(app: Gongxiao, count: int, *, day: float = 0, key: str | None = None,
          grade: str = "A", pack_kg: str = "0.5") -> list[str]:
    run = app.run_packing(site_id="yongan", sku="jiuhuang", grade=grade, pack_kg=pack_kg,
                          count=count, packed_at=at(day, 4), key=key)
    return list(run["pack_codes"])


def events(app: Gongxiao) -> int:
    return app.recorder.max_notification_id() or 0
