"""承诺达标合格证: issued once per batch by the dispatch that first ships its packs; never for a
batch on hold or in a recall — a dispatch carrying such a batch is refused, nothing recorded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.application import Gongxiao
from domain.certificate import Certificate, NotCertifiable
from domain.packing_run import PackingRun
from domain.recall_register import Recalled
from domain.shipment import Shipment
from infra.application import StoredGongxiao
from infra.views import ReadModels
from tests.district import at, events, graded, intake, packs, seed
from tests.stored_before import stored_as_before as before


def certificate(app: Gongxiao, batch_code: str) -> Certificate | None:
    found = app.find(Certificate.create_id(batch_code))
    return found if isinstance(found, Certificate) else None


def ship(app: Gongxiao, count: int, *, day: float = 1, key: str) -> dict[str, Any]:
    placed = app.place_order(outlet_id="out-a", lines=[{"sku": "jiuhuang", "grade": "A",
                                                        "pack_kg": "0.5", "packs": count}],
                             placed_at=at(day, 6), key=key)
    return app.ship(order_id=placed["order_id"], departed_at=at(day, 8), key=key,
                    pack_codes=placed["lines"][0]["reserved_pack_codes"])


def test_the_first_dispatch_of_a_batchs_packs_issues_its_certificate_once() -> None:
    app = seed(Gongxiao())
    app.record_input_application(farmer_id="zhang", sku="bichonglin", lot="LOT-1",
                                 applied_at=at(-20), crop_sku="jiuhuang")
    graded(app, "B1")
    packs(app, 4)
    assert certificate(app, "B1") is None  # packed, not yet shipped: not yet issued

    first = ship(app, 2, key="s1")

    issued = certificate(app, "B1")
    assert issued is not None and issued.shipment_id == first["shipment_id"]
    assert first["certificates"] == [{"batch_code": "B1", "issued_at": at(1, 8),
                                      "shipment_id": first["shipment_id"]}]
    assert (issued.product, issued.quantity_kg, issued.village, issued.farmer) == (
        "韭黄", 100, "永安村", "张**")
    assert issued.issuer == "永安村冷库" and issued.issued_at == at(1, 8)
    assert issued.promises == ["no_banned_pesticides", "pre_harvest_intervals_kept",
                               "residues_within_gb_2763"]
    assert issued.basis == [{"kind": "input_records", "sku": "bichonglin", "lot": "LOT-1",
                             "applied_at": at(-20), "pre_harvest_interval": "ok"}]
    assert (issued.keep_until - issued.issued_at).days >= 182
    before = events(app)
    assert ship(app, 2, key="s1") == first and events(app) == before  # the scan repeated
    second = ship(app, 2, day=2, key="s2")
    assert second["certificates"] == first["certificates"]  # carried again, issued once
    assert events(app) == before + 5  # order, its reservation, shipment, dispatch, order shipped


def test_a_shipment_issues_one_certificate_per_batch_its_packs_hold() -> None:
    app = seed(Gongxiao())
    graded(app, "B1", a="1")
    graded(app, "B2", farmer="wang", day=1)
    packs(app, 4, day=1)  # FEFO: B1's 1 kg (two packs), then B2's
    answer = ship(app, 3, key="s1")
    assert [c["batch_code"] for c in answer["certificates"]] == ["B1", "B2"]
    assert [certificate(app, b) is not None for b in ("B1", "B2")] == [True, True]
    manifest = app.find(UUID(answer["shipment_id"])).packs
    assert [p["batch_codes"] for p in manifest] == [["B1"], ["B1"], ["B2"]]


def test_a_batch_without_input_records_is_certified_on_a_self_check() -> None:
    app = seed(Gongxiao())
    graded(app, "B1", farmer="wang")
    packs(app, 1)
    ship(app, 1, key="s1")
    issued = certificate(app, "B1")
    assert issued is not None and issued.basis == [{"kind": "self_check"}]


def test_a_dispatch_carrying_a_batch_in_a_recall_is_refused_and_issues_nothing() -> None:
    app = seed(Gongxiao())
    graded(app, "B1")
    codes = packs(app, 2)
    placed = app.place_order(outlet_id="out-a", lines=[{"sku": "jiuhuang", "grade": "A",
                                                        "pack_kg": "0.5", "packs": 2}],
                             placed_at=at(0.5, 6), key="o1")
    # The batch is recalled, its packs not (the lineage did not reach them yet).
    recall = app.open_recall(scope={"kind": "batch", "batch_code": "B1"}, reason="residue",
                             level=1, opened_at=at(1), key="r1",
                             lineage={"packs": [], "batch_codes": ["B1"]})
    before = events(app)
    with pytest.raises(Recalled, match="B1") as refused:
        app.ship(order_id=placed["order_id"], pack_codes=codes, departed_at=at(1, 8))
    assert refused.value.extra["recall_id"] == recall["recall_id"]
    assert events(app) == before and certificate(app, "B1") is None


def test_a_batch_on_hold_or_in_a_recall_gets_no_certificate() -> None:
    app = seed(Gongxiao())
    app.record_input_application(farmer_id="wang", sku="bichonglin", lot="LOT-2",
                                 applied_at=at(-2), crop_sku="jiuhuang")
    intake(app, "HELD", farmer="wang")
    graded(app, "B1")
    held, clean = app.batch("HELD"), app.batch("B1")
    assert held.on_hold
    common = {"product": "韭黄", "village": "金星村", "farmer_name": "王建国", "issuer": "永安村冷库",
              "contact": None, "at": at(1), "applications": []}
    with pytest.raises(NotCertifiable, match="on_hold"):
        Certificate.issue(batch=held, recalled=frozenset(), **common)
    with pytest.raises(NotCertifiable, match="recall"):
        Certificate.issue(batch=clean, recalled=frozenset({"B1"}), **common)


def test_a_certificate_and_a_packing_run_stored_before_they_moved_to_dispatch_still_load() -> None:
    """Version 1 events: a certificate issued at packing (no shipment), a run without draws."""
    issued = Certificate.Issued.upcast_v1_v2
    state: dict[str, Any] = {"batch_code": "B1"}
    issued(state)
    assert state["shipment_id"] is None
    run: dict[str, Any] = {}
    PackingRun.Recorded.upcast_v1_v2(run)
    assert run == {"draws": None, "mixed": True}
    departed: dict[str, Any] = {"packs": [{"pack_code": "X-0001"}]}
    Shipment.Departed.upcast_v1_v2(departed)
    assert departed["packs"] == [{"pack_code": "X-0001", "batch_codes": None}]
    delivered: dict[str, Any] = {}
    Shipment.Delivered.upcast_v1_v2(delivered)
    assert delivered == {"refused": []}


# What the events of version 1 did not have.
ADDED = {"gongxiao:PackingRun.Recorded": ("draws", "mixed"),
         "gongxiao:Certificate.Issued": ("shipment_id",),
         "gongxiao:Shipment.Delivered": ("refused",)}


def stored_as_before(app: StoredGongxiao, *aggregates: Any) -> None:
    """Record the aggregates' new events in the shape the code before this change stored them."""
    def reshape(topic: str, state: dict[str, Any]) -> None:
        if topic == "gongxiao:Shipment.Departed":
            state["packs"] = [{k: v for k, v in p.items() if k != "batch_codes"}
                              for p in state["packs"]]

    before(app, *aggregates, added=ADDED, reshape=reshape)


def test_certificates_runs_and_shipments_stored_before_dispatch_issued_them_still_load(
        app: StoredGongxiao, views: ReadModels) -> None:
    seed(app)
    graded(app, "B1")
    run = PackingRun(id=uuid4(), site_id="yongan", sku="jiuhuang", grade="A", count=2,
                     packed_at=at(0, 4))
    issued = Certificate(batch_code="B1", sku="jiuhuang", product="韭黄", quantity_kg=Decimal(100),
                         village="永安村", farmer="张**", issuer="永安村冷库", contact=None,
                         issued_at=at(0, 4), promises=["no_banned_pesticides"],
                         basis=[{"kind": "self_check"}])
    trip = Shipment(id=uuid4(), order_id=str(uuid4()), outlet_id="out-a", departed_at=at(1),
                    vehicle=None, packs=[{"pack_code": run.pack_codes[0], "sku": "jiuhuang",
                                          "grade": "A", "pack_kg": Decimal("0.5"),
                                          "expires_at": at(9), "site_id": "yongan",
                                          "batch_codes": ["B1"]}])
    trip.deliver(received_at=at(1, 2), pack_codes=run.pack_codes[:1])
    stored_as_before(app, run, issued, trip)

    old_run, old_certificate = app.find(run.id), app.find(issued.id)
    old_trip = app.find(trip.id)
    assert old_run.draws is None and old_run.batches_of(run.pack_codes[0]) is None
    assert old_certificate.shipment_id is None and old_certificate.issued_at == at(0, 4)
    assert old_trip.packs[0]["batch_codes"] is None and old_trip.batch_codes == []
    assert old_trip.delivery["refused"] == []
    views.runner(app).catch_up()
    assert views.trace.trace("B1")["sources"][0]["certificate"]["issued_at"] == at(0, 4)
