"""Rules of a batch: pre-harvest holds, release and destruction, mass balance at grading."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.batch import AlreadyGraded, Batch, BatchOnHold, MassBalanceExceeded, NotOnHold
from domain.errors import Conflict, Invalid
from tests.district import at

SPRAY = {"sku": "bichonglin", "lot": "L1", "active_ingredient": "吡虫啉", "phi_days": 7,
         "applied_at": at(0)}


def receive(harvest_day: float = 10, applications: list | None = None,
            net: str = "100") -> Batch:
    return Batch.receive(batch_code="B1", site_id="yongan", farmer_id="zhang", sku="jiuhuang",
                         harvested_at=at(harvest_day), net_kg=Decimal(net), crates=5,
                         temperature_c=None, scanned_at=at(harvest_day, 2), shelf_life_days=7,
                         applications=applications or [])


def test_harvest_inside_the_pre_harvest_interval_is_put_on_hold_not_rejected() -> None:
    batch = receive(harvest_day=3, applications=[SPRAY])
    assert batch.status == "on_hold"
    assert batch.holds[0]["reason"] == "pre_harvest_interval"
    assert "2026-11-09" in batch.holds[0]["detail"]
    assert [type(e).__name__ for e in batch.collect_events()] == ["Received", "PutOnHold"]


def test_harvest_on_the_day_the_interval_runs_out_is_not_held() -> None:
    assert receive(harvest_day=7, applications=[SPRAY]).status == "in_storage"


def test_fertilizer_without_interval_never_holds() -> None:
    batch = receive(harvest_day=1, applications=[dict(SPRAY, phi_days=None)])
    assert batch.status == "in_storage"


def test_expiry_is_harvest_plus_shelf_life() -> None:
    assert receive(harvest_day=1).expires_at == at(8)


def test_grading_more_than_intake_is_refused() -> None:
    batch = receive()
    with pytest.raises(MassBalanceExceeded):
        batch.grade(graded_at=at(10, 3), grades={"A": Decimal("80"), "B": Decimal("20")},
                    reject_kg=Decimal("0.001"), price_fen_per_kg={"A": 1, "B": 1})
    assert batch.grading is None


def test_grading_records_shrinkage_and_earnings_in_fen() -> None:
    batch = receive()
    batch.grade(graded_at=at(10, 3), grades={"A": Decimal("60.125"), "B": Decimal("30")},
                reject_kg=Decimal("5"), price_fen_per_kg={"A": 1201, "B": 800})
    assert batch.grading is not None
    assert batch.grading["shrinkage_kg"] == Decimal("4.875")
    # 60.125 kg × 1201 fen = 72210.125 fen → 72210 fen, never a float
    assert batch.grading["earned_fen"] == {"A": 72210, "B": 24000}
    assert all(isinstance(v, int) for v in batch.grading["earned_fen"].values())


def test_grading_happens_once() -> None:
    batch = receive()
    batch.grade(graded_at=at(10, 3), grades={"A": Decimal(50)}, reject_kg=Decimal(0),
                price_fen_per_kg={"A": 1})
    with pytest.raises(AlreadyGraded):
        batch.grade(graded_at=at(10, 4), grades={"A": Decimal(10)}, reject_kg=Decimal(0),
                    price_fen_per_kg={"A": 1})


def test_batch_on_hold_cannot_be_graded_or_packed_until_released() -> None:
    batch = receive(harvest_day=3, applications=[SPRAY])
    with pytest.raises(BatchOnHold):
        batch.grade(graded_at=at(3, 3), grades={"A": Decimal(50)}, reject_kg=Decimal(0),
                    price_fen_per_kg={"A": 1})
    with pytest.raises(BatchOnHold):
        batch.check_packable(sku="jiuhuang", grade="A")
    batch.release(reason="复检合格 residue test passed", released_at=at(4))
    batch.grade(graded_at=at(4, 3), grades={"A": Decimal(50)}, reject_kg=Decimal(0),
                price_fen_per_kg={"A": 1})
    batch.check_packable(sku="jiuhuang", grade="A")


def test_release_needs_a_reason_and_a_hold() -> None:
    with pytest.raises(NotOnHold):
        receive().release(reason="ok", released_at=at(11))
    held = receive(harvest_day=3, applications=[SPRAY])
    with pytest.raises(Invalid):
        held.release(reason="  ", released_at=at(4))


def test_destroyed_batch_is_never_graded_or_released() -> None:
    batch = receive(harvest_day=3, applications=[SPRAY])
    batch.destroy(reason="农残超标", destroyed_at=at(4))
    assert batch.status == "destroyed"
    with pytest.raises(Conflict):
        batch.release(reason="x", released_at=at(5))
    with pytest.raises(Conflict):
        batch.grade(graded_at=at(5), grades={"A": Decimal(1)}, reject_kg=Decimal(0),
                    price_fen_per_kg={"A": 1})


def test_harvest_after_the_intake_scan_is_refused() -> None:
    with pytest.raises(Invalid):
        Batch.receive(batch_code="B1", site_id="s", farmer_id="f", sku="x", harvested_at=at(2),
                      net_kg=Decimal(1), crates=None, temperature_c=None, scanned_at=at(1),
                      shelf_life_days=7, applications=[])


def grade_60(batch: Batch, reject: str = "5") -> None:
    batch.grade(graded_at=at(10, 3), grades={"A": Decimal("40"), "B": Decimal("15")},
                reject_kg=Decimal(reject), price_fen_per_kg={"A": 800, "B": 500})


def test_a_wrong_intake_weight_is_corrected_by_a_new_event_with_its_reason() -> None:
    batch = receive(net="425")
    batch.collect_events()
    batch.correct_net_kg(net_kg=Decimal("42.5"), reason="磅秤读数录错", corrected_at=at(10, 3))
    [corrected] = batch.collect_events()
    assert type(corrected).__name__ == "NetKgCorrected"
    assert (corrected.was_kg, corrected.net_kg, corrected.reason) == (
        Decimal("425"), Decimal("42.5"), "磅秤读数录错")
    assert batch.net_kg == Decimal("42.5")


def test_grading_weighs_against_the_corrected_intake() -> None:
    batch = receive(net="50")
    with pytest.raises(MassBalanceExceeded):
        grade_60(batch)
    batch.correct_net_kg(net_kg=Decimal("62"), reason="漏称一筐", corrected_at=at(10, 2))
    grade_60(batch)
    assert batch.grading is not None and batch.grading["shrinkage_kg"] == Decimal("2.000")


def test_a_graded_batch_is_not_corrected_below_its_grades_and_its_shrinkage_follows() -> None:
    batch = receive(net="100")
    grade_60(batch)
    batch.collect_events()
    with pytest.raises(MassBalanceExceeded):
        batch.correct_net_kg(net_kg=Decimal("59.999"), reason="复称", corrected_at=at(10, 4))
    assert batch.collect_events() == []
    batch.correct_net_kg(net_kg=Decimal("61"), reason="复称", corrected_at=at(10, 4))
    assert batch.grading is not None and batch.grading["shrinkage_kg"] == Decimal("1.000")


def test_a_correction_needs_a_reason_and_a_weight_and_the_same_one_twice_is_one() -> None:
    batch = receive(net="100")
    batch.collect_events()
    with pytest.raises(Invalid):
        batch.correct_net_kg(net_kg=Decimal("90"), reason=" ", corrected_at=at(10, 3))
    with pytest.raises(Invalid):
        batch.correct_net_kg(net_kg=Decimal("0"), reason="复称", corrected_at=at(10, 3))
    batch.correct_net_kg(net_kg=Decimal("90"), reason="复称", corrected_at=at(10, 3))
    batch.correct_net_kg(net_kg=Decimal("90"), reason="复称", corrected_at=at(10, 3))
    assert len(batch.collect_events()) == 1
    batch.destroy(reason="腐烂", destroyed_at=at(10, 5))
    with pytest.raises(Conflict):
        batch.correct_net_kg(net_kg=Decimal("80"), reason="复称", corrected_at=at(10, 6))
