"""HTTP intake: intake scans per second and their latency through ``gongxiao serve``, beside
the same use case called directly, both on PostgreSQL in the same run.

A fresh database gets the test district; ``gongxiao serve`` (one uvicorn process, projections
running in it as in production) serves it on a loopback port. Several client processes each
run a closed loop of ``POST /v1/batches`` with a new batch code and Idempotency-Key, for a
fixed time; the baseline is ``receive_batch`` called in a loop in this process. Needs
GONGXIAO_TEST_DATABASE_URL (``make bench`` sets it).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from bench._db import fresh_database
from bench.figures import Figure
from infra.application import StoredGongxiao
from infra.settings import Settings
from infra.tokens import Tokens
from tests.district import seed

HARVEST = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)


def run(quick: bool) -> list[Figure]:
    base = os.environ.get("GONGXIAO_TEST_DATABASE_URL") or os.environ.get("GONGXIAO_DATABASE_URL")
    if not base:
        raise SystemExit("bench.http needs PostgreSQL: set GONGXIAO_TEST_DATABASE_URL")
    clients, seconds = (2, 4.0) if quick else (4, 20.0)
    with fresh_database(base, "http") as url, tempfile.TemporaryDirectory() as var:
        settings = Settings(database_url=url, kafka_bootstrap=None, var_dir=Path(var))
        app = seed(StoredGongxiao(env=settings.event_store_env()))
        try:
            token = Tokens(app.recorder).issue(role="operator", scope="yongan")
            direct = _direct(app, seconds=seconds / 2)
        finally:
            app.close()
        with _server(url, Path(var)) as address:
            over_http = _load(address, token, clients=clients, seconds=seconds)
    name = f"HTTP intake, {clients} clients closed loop"
    return [
        Figure(name, over_http["rate"], "scans/s", "receive_batch called directly",
               direct["rate"]),
        Figure("HTTP intake latency p50", over_http["p50"], "ms", "direct call p50",
               direct["p50"]),
        Figure("HTTP intake latency p99", over_http["p99"], "ms", "direct call p99",
               direct["p99"]),
    ]


def _direct(app: StoredGongxiao, *, seconds: float) -> dict[str, float]:
    """The use case alone: one intake after another in this process."""
    tag = uuid.uuid4().hex[:6]
    return _timed_loop(lambda i: app.receive_batch(
        batch_code=f"D{tag}-{i}", site_id="yongan", farmer_id="zhang", sku="jiuhuang",
        harvested_at=HARVEST, net_kg=Decimal("100.5"), scanned_at=HARVEST + timedelta(hours=3)),
        seconds)


def _load(address: str, token: str, *, clients: int, seconds: float) -> dict[str, float]:
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        results = pool.starmap(_client, [(address, token, seconds, n) for n in range(clients)])
    latencies = sorted(ms for r in results for ms in r["latencies"])
    elapsed = max(r["elapsed"] for r in results)
    failures = sum(r["failures"] for r in results)
    if failures:
        raise RuntimeError(f"{failures} intake scans were refused during the load")
    return {"rate": len(latencies) / elapsed, **_percentiles(latencies)}


def _client(address: str, token: str, seconds: float, number: int) -> dict[str, Any]:
    """One scanner gateway: a closed loop of intake scans for ``seconds``."""
    tag = f"H{number}-{uuid.uuid4().hex[:6]}"
    headers = {"Authorization": f"Bearer {token}"}
    failures = 0
    with httpx.Client(base_url=address, headers=headers, timeout=30) as http:
        for i in range(5):  # warm the connection and the server's caches
            http.post("/v1/batches", json=_intake(f"{tag}-w{i}"),
                      headers={"Idempotency-Key": str(uuid.uuid4())})

        def scan(i: int) -> None:
            nonlocal failures
            response = http.post("/v1/batches", json=_intake(f"{tag}-{i}"),
                                 headers={"Idempotency-Key": str(uuid.uuid4())})
            failures += response.status_code != 201

        timed = _timed_loop(scan, seconds, keep=True)
    return {"latencies": timed["latencies"], "elapsed": timed["elapsed"], "failures": failures}


def _intake(code: str) -> dict[str, Any]:
    return {"batch_code": code, "site_id": "yongan", "farmer_id": "zhang", "sku": "jiuhuang",
            "harvested_at": HARVEST.isoformat(), "net_kg": 100.5,
            "scanned_at": (HARVEST + timedelta(hours=3)).isoformat()}


def _timed_loop(work: Callable[[int], Any], seconds: float, *, keep: bool = False) -> dict[str, Any]:
    latencies: list[float] = []
    started = time.perf_counter()
    i = 0
    while time.perf_counter() - started < seconds:
        before = time.perf_counter()
        work(i)
        latencies.append((time.perf_counter() - before) * 1000)
        i += 1
    elapsed = time.perf_counter() - started
    if keep:
        return {"latencies": latencies, "elapsed": elapsed}
    return {"rate": len(latencies) / elapsed, **_percentiles(sorted(latencies))}


def _percentiles(ordered: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50": cuts[49], "p99": cuts[98]}


class _server:
    """``gongxiao serve`` (``--workers``) on a free loopback port, stopped (by its own pid)
    afterwards."""

    def __init__(self, url: str, var: Path, *, workers: int = 1) -> None:
        self.workers = workers
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.env = {**os.environ, "GONGXIAO_DATABASE_URL": url, "GONGXIAO_VAR_DIR": str(var),
                    "GONGXIAO_RATE_PER_TOKEN": "1000000/minute"}
        self.env.pop("GONGXIAO_KAFKA_BOOTSTRAP", None)
        self.log = var / "serve.log"

    def __enter__(self) -> str:
        command = [sys.executable, "-c", "from api.cli import main; raise SystemExit(main())",
                   "serve", "--host", "127.0.0.1", "--port", str(self.port),
                   "--workers", str(self.workers)]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(command, env=self.env, stdout=log, stderr=log)
        address = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gongxiao serve exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{address}/healthz", timeout=1).status_code == 200:
                    return address
            except httpx.TransportError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"gongxiao serve did not answer /healthz in 30 s: {self.log}")

    def pids(self) -> list[int]:
        """The serving process and its descendants (the API workers of ``--workers``)."""
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            with contextlib.suppress(OSError):
                todo += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        return found

    def __exit__(self, *exc: object) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
