"""``gongxiao projections rebuild [NAME] [--processes N]``: the views rebuilt from the log are
the views the runner made, in one process on the embedded store and, on PostgreSQL, dealt to
a process per CPU unless told otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api.cli import main
from infra.application import StoredGongxiao
from infra.settings import Settings
from infra.views import all_projections, build_views, parallel
from tests.district import graded, packs, seed
from tests.integration.projections.conftest import snapshot
from tests.integration.projections.flows import busy_week
from tests.poison import Refusing, position_of


def a_busy_week_caught_up(settings: Settings) -> tuple[dict[str, Any], int]:
    """The week's events stored and every view caught up: their rows, and the log's head."""
    app = seed(StoredGongxiao(env=settings.event_store_env()))
    views = build_views(settings)
    try:
        busy_week(app)
        views.runner(app).catch_up()
        return snapshot(views), app.recorder.max_notification_id() or 0
    finally:
        views.close()
        app.close()


def rows_now(settings: Settings) -> dict[str, Any]:
    views = build_views(settings)
    try:
        return snapshot(views)
    finally:
        views.close()


def test_rebuild_on_postgres_deals_the_views_to_a_process_per_cpu_by_default(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GONGXIAO_DATABASE_URL", database_url)
    monkeypatch.setenv("GONGXIAO_VAR_DIR", str(tmp_path))
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    asked = []
    real = parallel.rebuild

    def counted(*args: Any, processes: int, **kwargs: Any) -> dict[str, int]:
        asked.append(processes)
        return real(*args, processes=processes, **kwargs)

    monkeypatch.setattr(parallel, "rebuild", counted)
    settings = Settings.from_env()
    caught_up, head = a_busy_week_caught_up(settings)

    assert main(["projections", "rebuild"]) == 0
    assert asked == [2]
    assert sorted(capsys.readouterr().out.splitlines()) == sorted(
        f"rebuilt {name} at event {head}" for name in ("stock", "earnings", "trace", "orders", "epcis",
                                                     "supply", "books"))
    assert rows_now(settings) == caught_up

    assert main(["projections", "rebuild", "trace", "--processes", "3"]) == 0
    assert asked == [2], "one view is rebuilt in the command's own process"
    assert capsys.readouterr().out == f"rebuilt trace at event {head}\n"
    assert rows_now(settings) == caught_up


def test_rebuild_on_the_embedded_store_runs_in_one_process_and_refuses_more(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("GONGXIAO_DATABASE_URL", raising=False)
    monkeypatch.setenv("GONGXIAO_VAR_DIR", str(tmp_path))
    settings = Settings.from_env()
    caught_up, head = a_busy_week_caught_up(settings)

    assert main(["projections", "rebuild"]) == 0
    assert f"rebuilt orders at event {head}" in capsys.readouterr().out
    assert rows_now(settings) == caught_up

    assert main(["projections", "rebuild", "--processes", "2"]) == 2
    assert "one writer at a time" in capsys.readouterr().err


def test_rebuild_of_a_view_that_does_not_exist_names_the_views(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("GONGXIAO_DATABASE_URL", raising=False)
    monkeypatch.setenv("GONGXIAO_VAR_DIR", str(tmp_path))
    assert main(["projections", "rebuild", "stocks", "--processes", "1"]) == 2
    assert "no view 'stocks'; views are stock, earnings, trace, orders" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["projections", "rebuild", "--processes", "0"])


def test_faults_lists_the_events_a_view_went_without_until_a_rebuild_of_the_mended_view(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GONGXIAO_DATABASE_URL", database_url)
    monkeypatch.setenv("GONGXIAO_VAR_DIR", str(tmp_path))
    app = seed(StoredGongxiao(env=Settings.from_env().event_store_env()))
    try:
        graded(app, "B1")
        packs(app, 2, key="run-1")
        poison, head = position_of(app, "Stock.Packed"), app.recorder.max_notification_id()
    finally:
        app.close()
    with monkeypatch.context() as patched:
        patched.setattr("infra.views.all_projections", lambda settings=None: [
            Refusing(p, poison) if p.name == "stock" else p for p in all_projections(settings)])
        assert main(["projections", "rebuild", "stock"]) == 0
        assert capsys.readouterr().out == f"rebuilt stock at event {head}\n"
        assert main(["projections", "faults"]) == 0
        [line, total] = capsys.readouterr().out.splitlines()
        assert line.startswith(f"stock\tevent {poison}\tgongxiao:Stock.Packed\t")
        assert line.endswith("\tValueError: cannot take gongxiao:Stock.Packed")
        assert total.startswith("1 fault(s); mend the code")

    assert main(["projections", "rebuild", "stock"]) == 0
    capsys.readouterr()
    assert main(["projections", "faults", "stock"]) == 0
    assert capsys.readouterr().out == "0 fault(s)\n"
