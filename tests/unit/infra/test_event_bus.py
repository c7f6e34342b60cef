"""The in-process event bus: readers in the same process hear of every save, and only saves."""

from __future__ import annotations

import pytest

from domain.errors import Invalid
from infra.application import StoredGongxiao


def test_every_save_tells_the_subscribers_and_a_refused_command_does_not() -> None:
    app = StoredGongxiao()
    told: list[int] = []
    app.subscribe(lambda: told.append(app.recorder.max_notification_id() or 0))
    app.register_site(site_id="yongan", name="永安村冷库", kind="cold_store")
    app.register_farmer(farmer_id="zhang", name="张德明", village="永安村")
    with pytest.raises(Invalid):
        app.register_site(site_id="x", name="x", kind="granary")
    assert told == [1, 2]
