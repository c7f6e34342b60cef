"""``gongxiao token create --role accountant --scope UNIT``: an accountant acts for a unit."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli import main
from infra.application import StoredGongxiao
from infra.settings import Settings
from infra.tokens import Tokens


def test_an_accountant_token_is_made_for_a_registered_unit_and_acts_for_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GONGXIAO_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("GONGXIAO_DATABASE_URL", raising=False)
    app = StoredGongxiao(env=Settings.from_env().event_store_env())
    app.register_unit(unit_id="ande", name="安德供销社", kind="grassroots")
    app.close()
    assert main(["token", "create", "--role", "accountant", "--scope", "ande"]) == 0
    token = capsys.readouterr().out.strip()
    app = StoredGongxiao(env=Settings.from_env().event_store_env())
    try:
        found = Tokens(app.recorder).principal(token)
        assert found is not None and (found.role, found.scope) == ("accountant", "ande")
    finally:
        app.close()
    assert main(["token", "create", "--role", "accountant"]) == 2
    assert "accounting unit id" in capsys.readouterr().err
