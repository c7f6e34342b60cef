"""The supply view on the demo week (SQLite and PostgreSQL), against figures worked out by hand.

infra/demo.py buys at the warehouse wh-nongzi: 复合肥 40 bags at 142.00, 尿素 20 at 103.00,
吡虫啉 30 bottles at 21.50, 氯氰菊酯 24 at 27.00; 唐昌 buys 地膜 10 rolls at 36.00 itself. The
warehouse sends 唐昌 10 复合肥 and 10 吡虫啉, 安德 5 尿素 and 8 氯氰菊酯; then the shops sell
2 复合肥, 1 吡虫啉 and 3 地膜 (唐昌), 1 尿素 and 2 氯氰菊酯 (安德).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain.application import Gongxiao
from infra.demo import load_demo
from infra.views import ReadModels


@pytest.fixture
def week(app: Gongxiao, views: ReadModels) -> ReadModels:
    load_demo(app, today=date(2026, 11, 9))
    views.runner(app).catch_up()
    return views


def test_each_site_holds_its_lots_at_cost_and_knows_the_cost_of_what_it_sold(
        week: ReadModels) -> None:
    held = {(r["site_id"], r["sku"]): (r["on_hand"], r["on_hand_cost_fen"], r["sold"], r["cogs_fen"])
            for r in week.supply.stock()}
    assert held == {
        ("shop-ande", "lvqingjuzhi"): (Decimal(6), 16200, Decimal(2), 5400),
        ("shop-ande", "niaosu"): (Decimal(4), 41200, Decimal(1), 10300),
        ("shop-tangchang", "bichonglin"): (Decimal(9), 19350, Decimal(1), 2150),
        ("shop-tangchang", "dimo"): (Decimal(7), 25200, Decimal(3), 10800),
        ("shop-tangchang", "fuhefei"): (Decimal(8), 113600, Decimal(2), 28400),
        ("wh-nongzi", "bichonglin"): (Decimal(20), 43000, Decimal(0), 0),
        ("wh-nongzi", "fuhefei"): (Decimal(30), 426000, Decimal(0), 0),
        ("wh-nongzi", "lvqingjuzhi"): (Decimal(16), 43200, Decimal(0), 0),
        ("wh-nongzi", "niaosu"): (Decimal(15), 154500, Decimal(0), 0)}
    [shop] = week.supply.stock(site_id="shop-tangchang", lot="LOT-BCL-0921")
    assert (shop["purchased"], shop["transferred_in"], shop["transferred_out"]) == (
        Decimal(0), Decimal(10), Decimal(0))


def test_the_holders_of_a_lot_are_the_sites_with_some_left(week: ReadModels) -> None:
    assert week.supply.holders("bichonglin", "LOT-BCL-0921") == [
        {"site_id": "shop-tangchang", "on_hand": Decimal(9)},
        {"site_id": "wh-nongzi", "on_hand": Decimal(20)}]
    assert week.supply.holders("bichonglin", "NO-SUCH-LOT") == []


def test_the_pesticide_supply_share_counts_applications_whose_lot_a_shop_sold(
        week: ReadModels) -> None:
    share = week.supply.pesticide_supply(datetime(2026, 10, 1, tzinfo=UTC),
                                         datetime(2026, 11, 9, tzinfo=UTC))
    assert (share["applications"], share["supplied"], share["rate"]) == (3, 2, Decimal("0.6667"))
    assert share["areas"] == [
        {"area": "先锋村", "applications": 1, "supplied": 1, "rate": Decimal(1)},
        {"area": "战旗村", "applications": 1, "supplied": 0, "rate": Decimal(0)},
        {"area": "金星村", "applications": 1, "supplied": 1, "rate": Decimal(1)}]
    later = week.supply.pesticide_supply(datetime(2026, 10, 25, tzinfo=UTC),
                                         datetime(2026, 11, 9, tzinfo=UTC))
    assert (later["applications"], later["rate"]) == (1, Decimal(1))  # 王建国's only
    none = week.supply.pesticide_supply(datetime(2025, 1, 1, tzinfo=UTC),
                                        datetime(2025, 2, 1, tzinfo=UTC))
    assert (none["applications"], none["rate"], none["areas"]) == (0, None, [])
