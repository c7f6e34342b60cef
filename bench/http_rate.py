"""HTTP intake against the targets: latency at a fixed offered rate, and scans/s at saturation.

``bench.http`` measures a closed loop of a few clients; this one asks what the targets ask,
through the same ``gongxiao serve`` on PostgreSQL (projections running in it): intake scans
sent on a fixed schedule of 300 a second (open loop: a late answer delays nobody's schedule,
so latency counts from when the scan was due) and of 150 a second, then as many as 16
scanners at once can send.
Beside them, in the same run, the use case called directly by 8 threads of one process. The
server's peak memory is read from /proc. Needs GONGXIAO_TEST_DATABASE_URL.
"""

from __future__ import annotations

import multiprocessing
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench._db import fresh_database, peak_rss_mb, percentile, server_url
from bench.append import _concurrent_intake
from bench.figures import Figure
from bench.http import _intake, _server
from domain.application import Gongxiao
from infra.settings import Settings
from infra.tokens import Tokens
from tests.district import seed

RATE, P99_MS, SATURATED, RSS_MB = 300.0, 50.0, 1000.0, 300.0
PROCESSES, THREADS = 2, 8  # scanners: threads in each of a few client processes


def run(quick: bool) -> list[Figure]:
    seconds = 4.0 if quick else 20.0
    with fresh_database(server_url("http_rate"), "http_rate") as url, \
            tempfile.TemporaryDirectory() as var:
        settings = Settings(database_url=url, kafka_bootstrap=None, var_dir=Path(var))
        app = seed(Gongxiao(env=settings.event_store_env()))
        try:
            token = Tokens(app.recorder).issue(role="operator", scope="yongan")
        finally:
            app.close()
        direct = _concurrent_intake(settings.event_store_env(), seconds / 2, group=True)
        server = _server(url, Path(var))
        server.env["GONGXIAO_RATE_PER_ADDRESS"] = "1000000/minute"
        with server as address:
            steady = _load(address, token, seconds, rate=RATE)
            half = _load(address, token, seconds, rate=RATE / 2)
            flat_out = _load(address, token, seconds, rate=None)
            rss = peak_rss_mb(server.process.pid)
    return [
        Figure(f"HTTP intake p99 at {RATE:g}/s offered", steady["p99"], "ms",
               "direct intake p99, 8 threads", direct["p99"], f"<= {P99_MS:g} ms",
               steady["p99"] <= P99_MS),
        Figure(f"HTTP intake p50 at {RATE:g}/s offered", steady["p50"], "ms",
               f"HTTP intake p99 at {RATE:g}/s", steady["p99"]),
        Figure(f"HTTP intake answered at {RATE:g}/s offered", steady["rate"], "scans/s",
               "offered", RATE),
        Figure(f"HTTP intake p99 at {RATE / 2:g}/s offered", half["p99"], "ms",
               f"HTTP intake p50 at {RATE / 2:g}/s", half["p50"]),
        Figure(f"HTTP intake, {PROCESSES * THREADS} scanners flat out", flat_out["rate"],
               "scans/s", "direct intake, 8 threads", direct["rate"], f">= {SATURATED:g}/s",
               flat_out["rate"] >= SATURATED),
        Figure("HTTP intake p99 flat out", flat_out["p99"], "ms", "direct intake p99, 8 threads",
               direct["p99"]),
        Figure("API peak RSS during intake", rss, "MB", "this bench process peak RSS",
               peak_rss_mb(), f"<= {RSS_MB:g} MB", rss <= RSS_MB),
    ]


def _load(address: str, token: str, seconds: float, *, rate: float | None) -> dict[str, float]:
    """Intake scans from ``PROCESSES`` × ``THREADS`` scanners: each on a fixed schedule that
    adds up to ``rate`` a second, or each sending again as soon as answered (None)."""
    jobs = [(address, token, seconds, rate, n) for n in range(PROCESSES)]
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        results = pool.starmap(_scanners, jobs)
    latencies = [ms for r in results for ms in r["latencies"]]
    if failures := sum(r["failures"] for r in results):
        raise RuntimeError(f"{failures} intake scans were refused during the load")
    return {"rate": len(latencies) / max(r["elapsed"] for r in results),
            "p50": percentile(latencies, 50), "p99": percentile(latencies, 99)}


def _scanners(address: str, token: str, seconds: float, rate: float | None,
              number: int) -> dict[str, Any]:
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    interval = None if rate is None else PROCESSES * THREADS / rate
    with httpx.Client(base_url=address, timeout=30, headers={"Authorization": f"Bearer {token}"},
                      limits=httpx.Limits(max_connections=THREADS)) as http:
        for i in range(THREADS):  # warm the connections and the server
            _send(http, f"W{number}-{i}-{uuid.uuid4().hex[:6]}")
        started = time.perf_counter() + 0.05
        threads = [threading.Thread(target=_scanner, args=(
            lambda code: _send(http, code), started, seconds, interval,
            f"S{number}-{t}-{uuid.uuid4().hex[:6]}", latencies, failures, lock,
            t / THREADS)) for t in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return {"latencies": latencies, "failures": failures[0],
            "elapsed": time.perf_counter() - started}


def _scanner(send: Callable[[str], bool], started: float, seconds: float,
             interval: float | None, tag: str, latencies: list[float], failures: list[int],
             lock: threading.Lock, phase: float) -> None:
    i, due = 0, started + (phase * interval if interval else 0)
    mine: list[float] = []
    refused = 0
    while due < started + seconds:
        if interval is not None:
            time.sleep(max(0.0, due - time.perf_counter()))
        else:
            due = time.perf_counter()
        refused += not send(f"{tag}-{i}")
        mine.append((time.perf_counter() - due) * 1000)
        i += 1
        if interval is not None:
            due += interval
    with lock:
        latencies += mine
        failures[0] += refused


def _send(http: httpx.Client, code: str) -> bool:
    answer = http.post("/v1/batches", json=_intake(code),
                       headers={"Idempotency-Key": str(uuid.uuid4())})
    return answer.status_code == 201
