"""The snapshot policy: intervals that grow with the aggregate."""

from __future__ import annotations

from types import SimpleNamespace

from infra.snapshots import snapshot_interval


def test_a_larger_stock_is_snapshotted_less_often_at_the_same_cost_per_event() -> None:
    assert snapshot_interval(SimpleNamespace(records_held=900), 200) == 200
    assert snapshot_interval(SimpleNamespace(records_held=12_000), 200) == 1600
    assert snapshot_interval(SimpleNamespace(), 200) == 200  # aggregates that do not say
