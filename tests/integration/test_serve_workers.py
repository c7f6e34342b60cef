"""``gongxiao serve --workers N``: several API processes on one port over PostgreSQL, the
views kept up to date by the supervising process; refused on the embedded store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api.cli import main
from api.serving import SETTLING_S
from infra.application import StoredGongxiao
from infra.settings import Settings
from infra.tokens import Tokens
from tests.district import at, seed
from tests.servers import api_workers, free_port, running, stop, wait_ready

GONGXIAO = str(Path(sys.executable).with_name("gongxiao"))


@pytest.mark.postgres
def test_two_api_processes_share_the_port_and_the_views_follow_their_writes(
        database_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=database_url, kafka_bootstrap=None, var_dir=tmp_path)
    app = seed(StoredGongxiao(env=settings.event_store_env()))
    try:
        token = Tokens(app.recorder).issue(role="operator", scope="yongan")
    finally:
        app.close()
    port = free_port()
    env = {**os.environ, "GONGXIAO_DATABASE_URL": database_url, "GONGXIAO_VAR_DIR": str(tmp_path)}
    env.pop("GONGXIAO_KAFKA_BOOTSTRAP", None)
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([GONGXIAO, "serve", "--port", str(port), "--workers", "2"],
                              env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(server, url, tmp_path / "serve.log")
        started = time.monotonic()
        workers = api_workers(server.pid)
        assert len(workers) == 2, "two API worker processes"
        codes = [f"W{n}" for n in range(20)]
        for code in codes:  # a new connection each time: the kernel deals them to the workers
            with httpx.Client(base_url=url, timeout=30,
                              headers={"Authorization": f"Bearer {token}"}) as http:
                answer = http.post("/v1/batches", headers={"Idempotency-Key": f"k-{code}"}, json={
                    "batch_code": code, "site_id": "yongan", "farmer_id": "zhang",
                    "sku": "jiuhuang", "harvested_at": at(0).isoformat(), "net_kg": 50,
                    "scanned_at": at(0, 2).isoformat()})
                assert answer.status_code == 201, answer.text
        with httpx.Client(base_url=url, timeout=30,
                          headers={"Authorization": f"Bearer {token}"}) as http:
            assert http.get(f"/v1/batches/{codes[-1]}").json()["batch_code"] == codes[-1]
            _wait_until_views_caught_up(http)
        time.sleep(max(0.0, SETTLING_S - (time.monotonic() - started)))
        os.kill(workers[0], signal.SIGKILL)  # a worker dies: the supervisor starts another
        deadline = time.monotonic() + 30
        while not (len(api_workers(server.pid)) == 2 and workers[0] not in api_workers(server.pid)):
            assert time.monotonic() < deadline, "no new worker in place of the one killed"
            time.sleep(0.2)
        for _ in range(6):
            with httpx.Client(base_url=url, timeout=30) as http:
                assert http.get("/healthz").status_code == 200
        second = subprocess.run([GONGXIAO, "serve", "--port", str(port), "--workers", "2"],
                                env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 1, "a second server must not share the port"
        assert "cannot listen" in second.stderr
    finally:
        stop(server)
        log.close()
    assert server.returncode == 0, (tmp_path / "serve.log").read_text()[-3000:]


@pytest.mark.postgres
def test_the_api_processes_die_with_a_killed_supervisor_and_a_new_one_takes_the_port(
        database_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "GONGXIAO_DATABASE_URL": database_url, "GONGXIAO_VAR_DIR": str(tmp_path)}
    env.pop("GONGXIAO_KAFKA_BOOTSTRAP", None)
    url = f"http://127.0.0.1:{port}"
    servers: list[subprocess.Popen[bytes]] = []
    workers: list[int] = []
    try:
        for n in (1, 2):
            log = tmp_path / f"serve-{n}.log"
            with log.open("w") as out:
                servers.append(subprocess.Popen(
                    [GONGXIAO, "serve", "--port", str(port), "--workers", "2"], env=env,
                    stdout=out, stderr=out))
            wait_ready(servers[-1], url, log)
            if n == 2:
                break
            workers = api_workers(servers[0].pid)
            assert len(workers) == 2, "two API worker processes"
            os.kill(servers[0].pid, signal.SIGKILL)
            servers[0].wait(timeout=10)
            deadline = time.monotonic() + 10
            while alive := [pid for pid in workers if running(pid)]:
                assert time.monotonic() < deadline, f"API processes {alive} outlived their supervisor"
                time.sleep(0.1)
        with httpx.Client(base_url=url, timeout=30) as http:
            assert http.get("/healthz").status_code == 200
        assert len(api_workers(servers[1].pid)) == 2
    finally:
        for server in servers:
            if server.poll() is None:
                stop(server)
        for pid in workers:  # orphans left by a failure, not by the test's own run
            if running(pid):
                os.kill(pid, signal.SIGKILL)


def test_several_workers_on_the_embedded_store_are_refused(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("GONGXIAO_DATABASE_URL", raising=False)
    monkeypatch.setenv("GONGXIAO_VAR_DIR", str(tmp_path))
    assert main(["serve", "--workers", "2"]) == 2
    assert "several workers need PostgreSQL" in capsys.readouterr().err


def _wait_until_views_caught_up(http: httpx.Client, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        lags = [line for line in http.get("/metrics").text.splitlines()
                if line.startswith("gongxiao_projection_lag_events{")]
        if lags and all(float(line.rsplit(" ", 1)[1]) == 0 for line in lags):
            return
        if time.monotonic() > deadline:
            pytest.fail(f"the views did not catch up within {timeout} s: {lags}")
        time.sleep(0.2)
