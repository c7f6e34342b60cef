"""承诺达标合格证: issued once per batch when its graded kg is first packed; never for a batch
on hold or in a recall."""

from __future__ import annotations

import pytest

from domain.application import Gongxiao
from domain.certificate import Certificate, NotCertifiable
from tests.district import at, events, graded, intake, packs, seed


def certificate(app: Gongxiao, batch_code: str) -> Certificate | None:
    found = app.find(Certificate.create_id(batch_code))
    return found if isinstance(found, Certificate) else None


def test_the_first_packing_of_a_batch_issues_its_certificate_once() -> None:
    app = seed(Gongxiao())
    app.record_input_application(farmer_id="zhang", sku="bichonglin", lot="LOT-1",
                                 applied_at=at(-20), crop_sku="jiuhuang")
    graded(app, "B1")
    assert certificate(app, "B1") is None
    packs(app, 2)
    issued = certificate(app, "B1")
    assert issued is not None
    assert (issued.product, issued.quantity_kg, issued.village, issued.farmer) == (
        "韭黄", 100, "永安村", "张**")
    assert issued.issuer == "永安村冷库" and issued.issued_at == at(0, 4)
    assert issued.promises == ["no_banned_pesticides", "pre_harvest_intervals_kept",
                               "residues_within_gb_2763"]
    assert issued.basis == [{"kind": "input_records", "sku": "bichonglin", "lot": "LOT-1",
                             "applied_at": at(-20), "pre_harvest_interval": "ok"}]
    assert (issued.keep_until - issued.issued_at).days >= 182
    before = events(app)
    packs(app, 2, day=0.5)
    assert events(app) == before + 2  # the run's Packed and PackingRun only: no second certificate


def test_a_batch_without_input_records_is_certified_on_a_self_check() -> None:
    app = seed(Gongxiao())
    graded(app, "B1", farmer="wang")
    packs(app, 1)
    issued = certificate(app, "B1")
    assert issued is not None and issued.basis == [{"kind": "self_check"}]


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
