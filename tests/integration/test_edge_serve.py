"""A real ``gongxiao serve`` over PostgreSQL, where a NUL reached the database (issue 11): an
address or query holding one is refused before it does, on a connection that stays open, and
a body holding one records nothing."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.application import StoredGongxiao
from infra.settings import Settings
from infra.tokens import Tokens
from tests.district import at, seed
from tests.servers import free_port, stop, wait_ready

GONGXIAO = str(Path(sys.executable).with_name("gongxiao"))


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """The server's port and a token per role, over a seeded district."""
    settings = Settings(database_url=database_url, kafka_bootstrap=None, var_dir=tmp_path)
    app = seed(StoredGongxiao(env=settings.event_store_env()))
    try:
        tokens = {"admin": Tokens(app.recorder).issue(role="admin", scope=None),
                  "farmer": Tokens(app.recorder).issue(role="farmer", scope="zhang")}
    finally:
        app.close()
    port = free_port()
    env = {**os.environ, "GONGXIAO_DATABASE_URL": database_url, "GONGXIAO_VAR_DIR": str(tmp_path)}
    env.pop("GONGXIAO_KAFKA_BOOTSTRAP", None)
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([GONGXIAO, "serve", "--port", str(port)], env=env,
                              stdout=log, stderr=log)
    try:
        wait_ready(server, f"http://127.0.0.1:{port}", tmp_path / "serve.log")
        yield port, tokens
    finally:
        stop(server)
        log.close()


@pytest.mark.postgres
def test_control_characters_in_addresses_are_refused_and_the_connection_stays_open(
        served: tuple[int, dict[str, str]]) -> None:
    port, tokens = served
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.connect()
    first = connection.sock
    for address, status in [("/t/%00", 404), ("/v1/recall?input_lot=%00", 422),
                            ("/v1/packs/%00/label.svg", 404), ("/v1/trace/%00", 404),
                            ("/v1/recall?input_lot=L%1b", 422), ("/healthz", 200)]:
        connection.request("GET", address, headers=admin)
        answer = connection.getresponse()
        body = answer.read()
        assert answer.status == status, (address, body)
        if status != 200:
            assert answer.getheader("content-type", "").startswith("application/problem+json")
        assert connection.sock is first, f"the server closed the connection after {address}"
    connection.close()


@pytest.mark.postgres
def test_a_lot_holding_a_nul_is_refused_and_records_nothing(
        served: tuple[int, dict[str, str]]) -> None:
    port, tokens = served
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(method: str, path: str, who: str, body: object = None) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {tokens[who]}", "Content-Type": "application/json"}
        connection.request(method, path, body=None if body is None else json.dumps(body),
                           headers=headers)
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())

    before = len(call("GET", "/v1/events?limit=1000", "admin")[1])
    for lot in ("L\u0000", "L\u001b", "L\u202e", "L\u200b", "\ufeffL"):
        status, problem = call("POST", "/v1/input-applications", "farmer", {
            "farmer_id": "zhang", "sku": "bichonglin", "lot": lot,
            "applied_at": at(0).isoformat(), "crop_sku": "jiuhuang"})
        assert status == 422, problem
        assert problem["errors"][0]["field"] == "lot" and "U+" in problem["errors"][0]["message"]
    assert len(call("GET", "/v1/events?limit=1000", "admin")[1]) == before
    connection.close()
