"""``gongxiao token create``: prints a token once; the store keeps only its hash."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli import main
from domain.application import Gongxiao
from infra.problems import Problem
from infra.settings import Settings
from infra.tokens import Principal, Tokens


def test_token_create_prints_a_token_the_api_knows_and_stores_only_its_hash(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GONGXIAO_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("GONGXIAO_DATABASE_URL", raising=False)
    assert main(["token", "create", "--role", "operator", "--scope", "yongan"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("gx_") and len(token) > 40
    app = Gongxiao(env=Settings.from_env().event_store_env())
    try:
        assert Tokens(app.recorder).principal(token) == Principal("operator", "yongan")
        assert Tokens(app.recorder).principal(token + "x") is None
    finally:
        app.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("gongxiao.db*"))
    assert token.encode() not in stored


@pytest.mark.parametrize("argv", [["--role", "operator"], ["--role", "admin", "--scope", "x"],
                                  ["--role", "farmer", "--scope", "张三"]])
def test_token_create_refuses_a_grant_that_makes_no_sense(
        argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GONGXIAO_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("GONGXIAO_DATABASE_URL", raising=False)
    assert main(["token", "create", *argv]) == 2
    assert "gongxiao token create:" in capsys.readouterr().err


def test_a_principal_is_allowed_its_roles_in_its_scope_only() -> None:
    outlet = Principal("outlet", "out-a")
    assert outlet.allow("outlet", scope="out-a") is outlet
    with pytest.raises(Problem) as other_scope:
        outlet.allow("outlet", scope="out-b")
    assert other_scope.value.status == 403
    with pytest.raises(Problem):
        outlet.allow("operator")
    assert Principal("admin", None).allow().role == "admin"
