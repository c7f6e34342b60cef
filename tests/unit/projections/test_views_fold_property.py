"""Property: after any valid sequence of commands, the views equal a plain fold of the events.

Commands are drawn at random and sent to the in-memory application; a refused one records
nothing. The views (SQLite, in batches of random size) must then agree with a fold written
here from the events alone, and mass balance must hold in them.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from infra.application import StoredGongxiao
from infra.settings import Settings
from infra.views import build_views
from projections.tables import grams, loads
from tests.district import at, seed

FARMERS, OUTLETS = ("zhang", "wang"), ("out-a", "out-b")
harvests = st.tuples(st.just("harvest"), st.sampled_from(FARMERS),
                     st.sampled_from(["jiuhuang", "woshun"]), st.integers(1, 40), st.integers(0, 20))
packings = st.tuples(st.just("pack"), st.sampled_from(["A", "B"]), st.sampled_from(["0.5", "1"]),
                     st.integers(1, 30))
actions = st.one_of(
    harvests, packings,
    st.tuples(st.just("order"), st.sampled_from(OUTLETS), st.integers(0, 9), st.integers(1, 8)),
    st.tuples(st.just("ship"), st.integers(0, 9), st.integers(1, 8)),
    st.tuples(st.just("deliver"), st.integers(0, 9), st.booleans()),
    st.tuples(st.just("sell"), st.sampled_from(OUTLETS), st.integers(0, 50)),
    st.tuples(st.just("cancel"), st.integers(0, 9)),
    st.tuples(st.just("pay"), st.sampled_from(FARMERS), st.integers(1, 90000)),
    st.tuples(st.just("input"), st.sampled_from(FARMERS), st.sampled_from(["cash", "credit"]),
              st.integers(1, 5)),
    st.tuples(st.just("flag"), st.integers(1, 12)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crops=st.lists(harvests, min_size=1, max_size=5), runs=st.lists(packings, min_size=1,
       max_size=4), script=st.lists(actions, min_size=5, max_size=50), batch=st.integers(1, 60))
def test_views_equal_a_fold_of_the_events_and_keep_mass_balance(crops: list[Any], runs: list[Any],
                                                                script: list[Any],
                                                                batch: int) -> None:
    script = [*crops, *runs, *script]
    app = seed(StoredGongxiao())
    world: dict[str, list[Any]] = {"runs": [], "orders": [], "shipments": [], "delivered": []}
    for step, action in enumerate(script):
        with contextlib.suppress(DomainError):
            _send(app, world, step, action)
    with tempfile.TemporaryDirectory() as tmp:
        views = build_views(Settings(database_url=None, kafka_bootstrap=None, var_dir=Path(tmp)))
        try:
            views.runner(app, batch_size=batch).catch_up()
            stock, earnings = _fold(app)
            for row in views.stock.levels():
                key = (row["site_id"], row["sku"], row["grade"])
                states = stock["states"][key]
                assert grams(row["graded_kg_unpacked"]) == stock["unpacked"][key]
                assert (row["packs_available"], row["packs_reserved"], row["packs_in_transit"],
                        row["packs_at_outlets"], row["packs_sold"], row["packs_missing"],
                        row["packs_expired"]) == tuple(states[s] for s in (
                            "available", "reserved", "in_transit", "at_outlet", "sold", "missing",
                            "expired")), key
                assert sum(states.values()) == stock["packed"][key]  # a pack is in one place
            for farmer in FARMERS:
                s = views.earnings.statement(farmer)
                assert (s["earned_fen"], s["input_credit_fen"], s["paid_fen"],
                        grams(s["delivered_kg"])) == tuple(earnings[farmer]), farmer
            _mass_balance(views)
        finally:
            views.close()


def _send(app: StoredGongxiao, world: dict[str, list[Any]], step: int, action: Any) -> None:
    kind, *args = action
    day = step / 10
    if kind == "harvest":
        farmer, sku, a, b = args
        code = f"B{step}"
        app.receive_batch(batch_code=code, site_id="yongan", farmer_id=farmer, sku=sku,
                          harvested_at=at(day), net_kg=str(a + b + 3), scanned_at=at(day, 1))
        grades = {"A": str(a), "B": str(b)} if sku == "jiuhuang" else {"A": str(a)}
        app.grade_batch(batch_code=code, graded_at=at(day, 2), grades=grades, reject_kg="1")
    elif kind == "pack":
        grade, pack_kg, count = args
        app.run_packing(site_id="yongan", sku="jiuhuang", grade=grade, pack_kg=pack_kg,
                        count=count, packed_at=at(day, 3), key=f"run-{step}")
        world["runs"].append((grade, pack_kg))
    elif kind == "order" and world["runs"]:
        outlet, run, packs = args
        grade, pack_kg = world["runs"][run % len(world["runs"])]
        world["orders"].append(app.place_order(outlet_id=outlet, placed_at=at(day, 4), key=f"o{step}",
                                               lines=[{"sku": "jiuhuang", "grade": grade,
                                                       "pack_kg": pack_kg, "packs": packs}]))
    elif kind == "ship" and world["orders"]:
        order = world["orders"][args[0] % len(world["orders"])]
        codes = order["lines"][0]["reserved_pack_codes"][: args[1]]
        world["shipments"].append((order["outlet_id"], app.ship(
            order_id=order["order_id"], pack_codes=codes, departed_at=at(day, 5), key=f"s{step}"),
            codes))
    elif kind == "deliver" and world["shipments"]:
        outlet, shipment, codes = world["shipments"][args[0] % len(world["shipments"])]
        arrived = codes[:-1] if args[1] else codes
        app.confirm_delivery(shipment_id=shipment["shipment_id"], received_at=at(day, 6),
                             pack_codes=arrived)
        world["delivered"] += [(outlet, c) for c in arrived]
    elif kind == "sell" and world["delivered"]:
        outlet, code = world["delivered"][args[1] % len(world["delivered"])]
        app.sell_pack(outlet_id=outlet, pack_code=code, sold_at=at(day, 7), price_fen=1680)
    elif kind == "cancel" and world["orders"]:
        app.cancel_order(order_id=world["orders"][args[0] % len(world["orders"])]["order_id"],
                         at=at(day, 8))
    elif kind == "pay":
        app.pay_farmer(farmer_id=args[0], amount_fen=args[1], paid_at=at(day, 9), method="cash",
                       reference=f"P{step}")
    elif kind == "input":
        app.record_input_sale(shop_id="shop", farmer_id=args[0], sold_at=at(day, 9), payment=args[1],
                              lines=[{"sku": "fuhefei", "lot": "L1", "quantity": args[2],
                                      "unit_price_fen": 16500}], key=f"i{step}")
    elif kind == "flag":
        app.flag_shelf_life(at=at(args[0]), nearing_days=1)


def _fold(app: StoredGongxiao) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """The plain fold: walk the events once, keeping only what the views promise."""
    stocks: dict[Any, tuple[str, str]] = {}
    packs: dict[str, dict[str, Any]] = {}
    unpacked: Counter[Any] = Counter()
    batch_farmer: dict[Any, str] = {}
    farmer_of: dict[Any, str] = {}
    earnings: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for n in app.recorder.select_notifications(start=1, limit=1_000_000):
        e: Any = app.mapper.to_domain_event(n)
        kind = n.topic.removeprefix("gongxiao:")
        if kind == "Stock.Opened":
            stocks[e.originator_id] = (e.sku, e.grade)
        elif kind == "Stock.LotAdded":
            unpacked[(e.site_id, *stocks[e.originator_id])] += grams(e.kg)
        elif kind == "Stock.Packed":
            key = (e.site_id, *stocks[e.originator_id])
            unpacked[key] -= sum(grams(d["kg"]) for d in e.draws)
            packs.update({c: {"key": key, "state": "available", "expired": False}
                          for c in e.pack_codes})
        elif kind in ("Stock.Reserved", "Stock.ReservationReleased", "Stock.Dispatched"):
            for c in e.pack_codes:
                released = "expired" if packs[c]["expired"] else "available"
                packs[c]["state"] = {"Stock.Reserved": "reserved", "Stock.Dispatched": "in_transit",
                                     "Stock.ReservationReleased": released}[kind]
        elif kind == "Shipment.Delivered":
            for c in e.received:
                packs[c]["state"] = "at_outlet"
            for c in e.missing:
                packs[c]["state"] = "missing"
        elif kind == "Shelf.Sold":
            packs[e.pack_code]["state"] = "sold"
        elif kind == "Stock.ShelfLifeFlagged":
            for c in e.expired:
                packs[c]["expired"] = True
                if packs[c]["state"] == "available":
                    packs[c]["state"] = "expired"
        elif kind == "Farmer.Registered":
            farmer_of[e.originator_id] = e.farmer_id
        elif kind == "Batch.Received":
            batch_farmer[e.originator_id] = e.farmer_id
            earnings[e.farmer_id][3] += grams(e.net_kg)
        elif kind == "Batch.Graded":
            earnings[batch_farmer[e.originator_id]][0] += sum(e.earned_fen.values())
        elif kind == "InputSale.Recorded" and e.payment == "credit":
            earnings[e.farmer_id][1] += e.total_fen
        elif kind == "Farmer.Paid":
            earnings[farmer_of[e.originator_id]][2] += e.amount_fen
    states: dict[Any, Counter[str]] = defaultdict(Counter)
    for p in packs.values():
        states[p["key"]][p["state"]] += 1
    packed = {k: sum(c.values()) for k, c in states.items()}
    return {"unpacked": unpacked, "states": states, "packed": defaultdict(int, packed)}, earnings


def _mass_balance(views: Any) -> None:
    db = views.db
    for b in db.fetch("SELECT batch_code, net_g, grades, reject_g FROM trace_batches "
                      "WHERE grades IS NOT NULL"):
        graded = sum(grams(k) for k in loads(b["grades"]).values())
        assert graded + b["reject_g"] <= b["net_g"], b
        drawn = db.fetch("SELECT COALESCE(SUM(g), 0) AS g FROM trace_draws WHERE batch_code = ?",
                         [b["batch_code"]])[0]["g"]
        assert drawn <= graded, b
    for lot in db.fetch("SELECT * FROM stock_lots"):
        assert 0 <= lot["left_g"] <= lot["graded_g"], lot
    for run in db.fetch("SELECT r.run_id, r.packs * r.pack_g AS packed, SUM(d.g) AS drawn "
                        "FROM trace_runs r JOIN trace_draws d ON d.run_id = r.run_id "
                        "GROUP BY r.run_id, r.packs, r.pack_g"):
        assert run["packed"] == run["drawn"], run
