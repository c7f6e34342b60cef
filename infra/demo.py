"""A realistic week of the district, written through the use cases.

Every command carries a key made of the week's first day and its place in the script, so
running the demo again the same day records nothing new.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from domain.application import Gongxiao
from infra.settings import Settings
from infra.tokens import Tokens

SHANGHAI = ZoneInfo("Asia/Shanghai")

SITES = [("yongan", "永安村冷库（唐昌镇）", "cold_store"),
         ("shop-tangchang", "唐昌农资经营网点", "input_shop"),
         ("shop-ande", "安德农资经营网点", "input_shop"), ("outlet-jinniu", "金牛区农产品直营店", "outlet"),
         ("outlet-wuhou", "武侯区农产品直营店", "outlet"),
         ("wh-nongzi", "区农资公司配送仓库", "warehouse")]
FARMERS = [("f-zhang", "张德明", "永安村", "13800000001"), ("f-li", "李秀英", "永安村", None),
           ("f-wang", "王建国", "金星村", "13800000003"), ("f-liu", "刘桂芳", "战旗村", None),
           ("f-chen", "陈志强", "先锋村", "13800000005"), ("f-yang", "杨淑珍", "青杠村", None)]
PRODUCE = [("jiuhuang", "韭黄", 7, 0, 4, {"A": 1200, "B": 800}),
           ("woshun", "莴笋", 14, 0, 5, {"A": 400, "B": 260}),
           ("suantai", "蒜薹", 30, -1, 4, {"A": 900, "B": 600})]
INPUTS = [("fuhefei", "复合肥 15-15-15 50kg", "bag", "fertilizer", None, None, None),
          ("niaosu", "尿素 40kg", "bag", "fertilizer", None, None, None),
          ("dimo", "地膜 0.01mm", "roll", "film", None, None, None),
          ("bichonglin", "吡虫啉 10%可湿性粉剂", "bottle", "pesticide", "吡虫啉", "PD20040001", 7),
          ("lvqingjuzhi", "高效氯氰菊酯 4.5%乳油", "bottle", "pesticide", "高效氯氰菊酯", "PD20080002", 10)]
# Accounting units (核算单位) and the sites whose business each one's books keep.
UNITS = [("district", "郫都区供销合作社联合社", "union"), ("nongzi", "区农资有限公司", "company"),
         ("shangmao", "区农产品商贸有限公司", "company"),
         ("tangchang", "唐昌供销社", "grassroots"), ("ande", "安德供销社", "grassroots"),
         ("yongan-coop", "永安村专业合作社", "village")]
SITE_UNITS = [("wh-nongzi", "nongzi"), ("shop-tangchang", "tangchang"), ("shop-ande", "ande"),
              ("yongan", "yongan-coop"), ("outlet-jinniu", "shangmao"),
              ("outlet-wuhou", "shangmao")]
# The input company's purchases (site, supplier, invoice, payment, lines of sku, lot, quantity,
# unit cost) and what its warehouse sends the shops before they sell (sales draw from lots held).
PURCHASES = [("wh-nongzi", "四川川化农资有限公司", "CH-26-08812", "payable",
              [("fuhefei", "LOT-FH-2611", 40, 14200), ("niaosu", "LOT-NS-1102", 20, 10300)]),
             ("wh-nongzi", "成都植保药械有限公司", "ZB-26-1107", "payable",
              [("bichonglin", "LOT-BCL-0921", 30, 2150), ("lvqingjuzhi", "LOT-LQ-0712", 24, 2700)]),
             ("shop-tangchang", "彭州塑料薄膜厂", "PZ-0301-77", "cash",
              [("dimo", "LOT-DM-0301", 10, 3600)])]
TRANSFERS = [("shop-tangchang", [("fuhefei", "LOT-FH-2611", 10), ("bichonglin", "LOT-BCL-0921", 10)]),
             ("shop-ande", [("niaosu", "LOT-NS-1102", 5), ("lvqingjuzhi", "LOT-LQ-0712", 8)])]
RETAIL_FEN = {"jiuhuang": 1680, "woshun": 1290, "suantai": 990}
# farmer, product, day of the week, net kg, grades A/B, reject
HARVESTS = [("f-zhang", "jiuhuang", 1, "120.5", "80", "30", "6"),
            ("f-li", "jiuhuang", 1, "95", "60", "28", "4.5"),
            ("f-wang", "jiuhuang", 2, "88", "55", "25", "5"),  # sprayed 2 days before: on hold
            ("f-liu", "woshun", 2, "300", "210", "70", "12"),
            ("f-chen", "suantai", 3, "150", "100", "40", "6"),
            ("f-yang", "woshun", 3, "260", "180", "60", "15"),
            ("f-zhang", "jiuhuang", 4, "110", "75", "28", "5")]


def load_demo(app: Gongxiao, today: date | None = None) -> dict[str, Any]:
    """Write the week ending yesterday; answers what it recorded."""
    start = (today or datetime.now(SHANGHAI).date()) - timedelta(days=7)
    week = _Week(app, start)
    week.master_data()
    week.inputs()
    batches = week.harvests()
    week.cold_room()
    runs = week.packing()
    week.outlets(runs)
    week.payments()
    return {"week_from": start.isoformat(), "batches": batches,
            "events": app.recorder.max_notification_id()}


# The screens and who uses each, with the demo's own site or farmer for that role's token.
SCREENS = [("/", "start page: every screen", None, None),
           ("/station", "cold-store operator 冷库操作员", "operator", "yongan"),
           ("/outlet", "outlet clerk 直营店店员", "outlet", "outlet-jinniu"),
           ("/admin", "co-op staff 联社", "admin", None),
           ("/farmer", "member farmer 社员 张德明", "farmer", "f-zhang"),
           ("/books", "accountant 会计 区农资有限公司", "accountant", "nongzi"),
           ("/docs", "API documentation (also /redoc)", None, None)]


def guide(app: Gongxiao, settings: Settings, loaded: dict[str, Any]) -> str:
    """What to open after the demo: each screen's address and, on the embedded store (a local
    try-out), a token for its role that works for 7 days."""
    base = settings.public_url or "http://127.0.0.1:8000"
    lines = [f"The demo week is loaded. `gongxiao serve` (make run) serves it at {base}:"]
    tokens = Tokens(app.recorder) if settings.embedded else None
    for path, who, role, scope in SCREENS:
        line = f"  {base + path:<32} {who}"
        if tokens is not None and role is not None:
            line += f"\n  {'':<32} token {tokens.issue(role=role, scope=scope, days=7)}"
            line += f"  site {scope}" if scope else ""
        lines.append(line)
    lines.append(f"  {base}/t/{loaded['batches'][0]:<21} a buyer's trace page (a pack's QR opens one)")
    if tokens is None:
        lines.append("Tokens: `gongxiao token create --role ROLE --scope SITE` (README, Command line).")
    return "\n".join(lines)


class _Week:
    def __init__(self, app: Gongxiao, start: date) -> None:
        self.app, self.start, self.tag = app, start, start.strftime("%Y%m%d")

    def at(self, day: int, hour: int, minute: int = 0) -> datetime:
        local = datetime.combine(self.start + timedelta(days=day), time(hour, minute), SHANGHAI)
        return local.astimezone(UTC)

    def key(self, *parts: object) -> str:
        return "demo-" + "-".join([self.tag, *map(str, parts)])

    def master_data(self) -> None:
        for site_id, name, kind in SITES:
            self.app.register_site(site_id=site_id, name=name, kind=kind)
        for unit_id, name, kind in UNITS:
            self.app.register_unit(unit_id=unit_id, name=name, kind=kind)
        for site_id, unit_id in SITE_UNITS:
            self.app.assign_site_to_unit(site_id=site_id, unit_id=unit_id)
        for farmer_id, name, village, phone in FARMERS:
            self.app.register_farmer(farmer_id=farmer_id, name=name, village=village, phone=phone)
        for sku, name, life, low, high, prices in PRODUCE:
            self.app.register_product(sku=sku, name=name, kind="produce", unit="kg",
                                      shelf_life_days=life, temp_min_c=low, temp_max_c=high)
            self.app.set_price(sku=sku, effective_from=self.at(0, 0), grades=prices)
        for sku, name, unit, cls, ingredient, reg_no, phi in INPUTS:
            self.app.register_product(sku=sku, name=name, kind="input", unit=unit, input_class=cls,
                                      active_ingredient=ingredient, registration_no=reg_no,
                                      phi_days=phi)

    def inputs(self) -> None:
        for i, (site, supplier, invoice, payment, lines) in enumerate(PURCHASES):
            self.app.record_purchase(
                site_id=site, supplier=supplier, invoice_no=f"{invoice}-{self.tag}", payment=payment,
                received_at=self.at(-3, 10 + i), key=self.key("purchase", i),
                lines=[{"sku": s, "lot": lot, "quantity": q, "unit_cost_fen": c}
                       for s, lot, q, c in lines])
        for i, (shop, moved) in enumerate(TRANSFERS):
            self.app.transfer_inputs(
                from_site_id="wh-nongzi", to_site_id=shop, sent_at=self.at(-2, 9 + i),
                key=self.key("transfer", i),
                lines=[{"sku": s, "lot": lot, "quantity": q} for s, lot, q in moved])
        sales = [("shop-tangchang", "f-zhang", "credit", [("fuhefei", "LOT-FH-2611", 2, 16500)]),
                 ("shop-tangchang", "f-wang", "credit", [("bichonglin", "LOT-BCL-0921", 1, 2800),
                                                         ("dimo", "LOT-DM-0301", 3, 4500)]),
                 ("shop-ande", "f-liu", "cash", [("niaosu", "LOT-NS-1102", 1, 12000)]),
                 ("shop-ande", "f-chen", "credit", [("lvqingjuzhi", "LOT-LQ-0712", 2, 3500)])]
        for i, (shop, farmer, payment, lines) in enumerate(sales):
            self.app.record_input_sale(
                shop_id=shop, farmer_id=farmer, sold_at=self.at(0, 9 + i), payment=payment,
                lines=[{"sku": s, "lot": lot, "quantity": q, "unit_price_fen": p}
                       for s, lot, q, p in lines], key=self.key("sale", i))
        self.app.record_input_application(farmer_id="f-wang", sku="bichonglin", lot="LOT-BCL-0921",
                                          applied_at=self.at(0, 16), crop_sku="jiuhuang")
        self.app.record_input_application(farmer_id="f-chen", sku="lvqingjuzhi",
                                          lot="LOT-LQ-0712", applied_at=self.at(-20, 8),
                                          crop_sku="suantai")
        # a lot bought at a market, not from a co-op shop: it lowers the 农药统供率
        self.app.record_input_application(farmer_id="f-liu", sku="lvqingjuzhi",
                                          lot="LOT-MKT-0101", applied_at=self.at(-10, 8),
                                          crop_sku="suantai")

    def harvests(self) -> list[str]:
        codes = []
        for i, (farmer, sku, day, net, grade_a, grade_b, reject) in enumerate(HARVESTS, start=1):
            code = f"YA{self.tag}-{i:03d}"
            answer = self.app.receive_batch(
                batch_code=code, site_id="yongan", farmer_id=farmer, sku=sku,
                harvested_at=self.at(day, 6), net_kg=net, crates=int(float(net) // 10) + 1,
                temperature_c=None, scanned_at=self.at(day, 9, i))
            # A batch ever held is left to staff; once released it would otherwise be graded
            # by the next run of the demo, which is to record nothing new.
            if answer["status"] == "in_storage" and not answer["holds"]:
                self.app.grade_batch(batch_code=code, graded_at=self.at(day, 14),
                                     grades={"A": grade_a, "B": grade_b}, reject_kg=reject)
            codes.append(code)
        return codes

    def cold_room(self) -> None:
        for day in range(7):
            readings = [{"at": self.at(day, hour), "celsius": Decimal("2.5") + hour % 5 / Decimal(5)}
                        for hour in range(0, 24, 2)]
            if day == 3:  # the compressor stalled one afternoon
                readings[7] = {"at": self.at(day, 14), "celsius": Decimal("7.8")}
            self.app.log_temperatures(site_id="yongan", room="冷藏1号", readings=readings)

    def packing(self) -> list[dict[str, Any]]:
        plans = [("jiuhuang", "A", "0.5", 120, 2), ("jiuhuang", "B", "1", 40, 2),
                 ("woshun", "A", "2", 80, 3), ("suantai", "A", "0.5", 100, 4),
                 ("jiuhuang", "A", "0.5", 60, 5)]
        return [self.app.run_packing(site_id="yongan", sku=sku, grade=grade, pack_kg=pack_kg,
                                     count=count, packed_at=self.at(day, 16),
                                     key=self.key("pack", i))
                for i, (sku, grade, pack_kg, count, day) in enumerate(plans)]

    def outlets(self, runs: list[dict[str, Any]]) -> None:
        first = self.app.place_order(outlet_id="outlet-jinniu", placed_at=self.at(3, 8),
                                     key=self.key("order", 1), lines=[
            {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 40},
            {"sku": "woshun", "grade": "A", "pack_kg": "2", "packs": 20}])
        second = self.app.place_order(outlet_id="outlet-wuhou", placed_at=self.at(4, 8),
                                      key=self.key("order", 2), lines=[
            {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": 30},
            {"sku": "suantai", "grade": "A", "pack_kg": "0.5", "packs": 24}])
        self.app.place_order(outlet_id="outlet-wuhou", placed_at=self.at(5, 8),
                             key=self.key("order", 3), lines=[
            {"sku": "jiuhuang", "grade": "B", "pack_kg": "1", "packs": 10}])
        self.app.cancel_order(order_id=self.app.place_order(
            outlet_id="outlet-jinniu", placed_at=self.at(5, 9), key=self.key("order", 4),
            lines=[{"sku": "woshun", "grade": "A", "pack_kg": "2", "packs": 5}])["order_id"],
            reason="门店改订", at=self.at(5, 10))
        for n, order in enumerate((first, second), start=1):
            codes = [c for line in order["lines"] for c in line["reserved_pack_codes"]]
            shipment = self.app.ship(order_id=order["order_id"], pack_codes=codes,
                                     departed_at=self.at(3 + n, 5), vehicle=f"川A·冷{n:03d}",
                                     key=self.key("ship", n))
            # The second truck arrives one pack short: recorded, never silently fixed.
            arrived = codes if n == 1 else codes[:-1]
            delivered = self.app.confirm_delivery(shipment_id=shipment["shipment_id"],
                                                  received_at=self.at(3 + n, 8),
                                                  pack_codes=arrived)
            retail = {c: RETAIL_FEN[line["sku"]] for line in order["lines"]
                      for c in line["reserved_pack_codes"]}
            for i, code in enumerate(delivered["received"][: len(codes) // 2]):
                self.app.sell_pack(outlet_id=order["outlet_id"], pack_code=code,
                                   sold_at=self.at(3 + n, 10 + i % 10, i % 60),
                                   price_fen=retail[code])

    def payments(self) -> None:
        for farmer, amount in (("f-zhang", 50000), ("f-liu", 30000)):
            self.app.pay_farmer(farmer_id=farmer, amount_fen=amount, paid_at=self.at(6, 15),
                                method="bank_transfer", reference=self.key("pay", farmer))

