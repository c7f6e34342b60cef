"""The composition root wires each part once from the settings and closes only what it built."""

from __future__ import annotations

from infra.application import StoredGongxiao
from infra.composition import Composition
from infra.settings import Settings
from infra.views import ReadModels
from tests.district import graded, intake, seed


def test_the_parts_share_one_application_and_the_settings(settings: Settings) -> None:
    wired = Composition(settings)
    try:
        seed(wired.app)
        token = wired.tokens.issue(role="admin")
        assert wired.tokens.principal(token) is not None
        assert wired.app is wired.app and wired.tokens is wired.tokens
        graded(wired.app, "B1")
        wired.views.runner(wired.app).catch_up()
        assert {(level["grade"], level["graded_kg_unpacked"])
                for level in wired.views.stock.levels()} == {("A", 60), ("B", 30)}
    finally:
        wired.close()


def test_what_a_caller_gives_stays_open(app: StoredGongxiao, views: ReadModels,
                                        settings: Settings) -> None:
    wired = Composition(settings, app=app, views=views)
    assert wired.app is app and wired.views is views
    wired.close()
    seed(app)  # still usable: the caller closes its own
    intake(app, "B1")
    assert views.runner(app).catch_up() > 0
