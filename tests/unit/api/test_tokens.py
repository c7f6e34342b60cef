"""``gongxiao token create|list|revoke``: a token is printed once, only its hash is kept, it
acts only for something that exists and is of its role's kind, and it expires or is revoked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from api.cli import main
from infra.application import StoredGongxiao
from infra.problems import Problem
from infra.settings import Settings
from infra.tokens import Principal, Tokens
from tests.district import seed


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The embedded store the command line uses, with the district's sites and farmers."""
    monkeypatch.setenv("GONGXIAO_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("GONGXIAO_DATABASE_URL", raising=False)
    app = StoredGongxiao(env=Settings.from_env().event_store_env())
    seed(app)
    app.close()
    yield tmp_path


def tokens_of_store() -> tuple[StoredGongxiao, Tokens]:
    app = StoredGongxiao(env=Settings.from_env().event_store_env())
    return app, Tokens(app.recorder)


def created(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["token", "create", *argv]) == 0
    return capsys.readouterr().out.strip()


def listed(capsys: pytest.CaptureFixture[str]) -> list[dict[str, str]]:
    assert main(["token", "list"]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    return [dict(zip(header.split(), row.split(), strict=True)) for row in rows]


def test_token_create_prints_a_token_the_api_knows_and_stores_only_its_hash(
        store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    token = created(capsys, "--role", "operator", "--scope", "yongan")

    assert token.startswith("gx_") and len(token) > 40
    app, tokens = tokens_of_store()
    try:
        found = tokens.principal(token)
        assert found is not None and (found.role, found.scope) == ("operator", "yongan")
        assert tokens.principal(token + "x") is None
    finally:
        app.close()
    stored = b"".join(p.read_bytes() for p in store.glob("gongxiao.db*"))
    assert token.encode() not in stored


@pytest.mark.parametrize("argv", [["--role", "operator"], ["--role", "admin", "--scope", "x"],
                                  ["--role", "farmer", "--scope", "张三"]])
def test_token_create_refuses_a_grant_that_makes_no_sense(
        argv: list[str], store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "create", *argv]) == 2
    assert "gongxiao token create:" in capsys.readouterr().err


@pytest.mark.parametrize("days", ["0", "3651", "soon"])
def test_token_create_refuses_a_lifetime_that_is_not_1_to_3650_days(
        days: str, store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as refused:
        main(["token", "create", "--role", "admin", "--expires-in", days])
    assert refused.value.code == 2 and "--expires-in" in capsys.readouterr().err


@pytest.mark.parametrize(("role", "scope", "said"), [
    ("operator", "out-a", "site out-a is a outlet, not a cold_store: an operator token acts for "
                          "a cold_store site"),
    ("operator", "nowhere", "no site nowhere is registered"),
    ("shop", "yongan", "site yongan is a cold_store, not a input_shop"),
    ("outlet", "shop", "site shop is a input_shop, not a outlet"),
    ("farmer", "nobody", "no farmer nobody is registered: a farmer token acts for a registered farmer"),
    ("accountant", "nowhere", "no accounting unit nowhere is registered: an accountant token acts "
                              "for an accounting unit"),
])
def test_token_create_refuses_a_scope_that_does_not_exist_or_is_of_another_kind(
        role: str, scope: str, said: str, store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "create", "--role", role, "--scope", scope]) == 2

    out = capsys.readouterr()
    assert out.out == "" and said in out.err
    assert listed(capsys) == []


def test_token_create_says_a_token_lasts_365_days_unless_told_otherwise(
        store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    created(capsys, "--role", "admin")
    created(capsys, "--role", "farmer", "--scope", "zhang", "--expires-in", "7")

    admin, farmer = listed(capsys)

    for row, days in ((admin, 365), (farmer, 7)):
        lasts = datetime.fromisoformat(row["expires_at"]) - datetime.fromisoformat(row["created_at"])
        assert lasts == timedelta(days=days)
    assert (farmer["role"], farmer["scope"], farmer["revoked_at"]) == ("farmer", "zhang", "-")


def test_token_list_shows_ids_and_never_the_token_or_its_hash(
        store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    token = created(capsys, "--role", "outlet", "--scope", "out-a")

    assert main(["token", "list"]) == 0
    shown = capsys.readouterr().out

    app, tokens = tokens_of_store()
    try:
        principal = tokens.principal(token)
    finally:
        app.close()
    assert principal is not None and principal.token_id is not None
    assert principal.token_id in shown and token not in shown and token[3:15] not in shown
    assert len(shown.split()) == 6 * 2  # the header and one row, no hash column


def test_token_revoke_stops_the_token_and_an_unknown_id_is_refused(
        store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    token = created(capsys, "--role", "operator", "--scope", "yongan")
    (row,) = listed(capsys)

    assert main(["token", "revoke", row["id"]]) == 0
    assert main(["token", "revoke", "0123456789ab"]) == 2
    assert "no token has the id 0123456789ab" in capsys.readouterr().err

    (row,) = listed(capsys)
    assert row["revoked_at"] != "-"
    app, tokens = tokens_of_store()
    try:
        assert tokens.principal(token) is None
    finally:
        app.close()


def test_a_principal_is_allowed_its_roles_in_its_scope_only() -> None:
    outlet = Principal("outlet", "out-a")
    assert outlet.allow("outlet", scope="out-a") is outlet
    with pytest.raises(Problem) as other_scope:
        outlet.allow("outlet", scope="out-b")
    assert other_scope.value.status == 403
    with pytest.raises(Problem):
        outlet.allow("operator")
    assert Principal("admin", None).allow().role == "admin"
