"""HTTP intake against the targets: latency at a fixed offered rate, and scans/s at saturation.

``bench.http`` measures a closed loop of a few clients; this one asks what the targets ask,
through the real ``gongxiao serve`` on PostgreSQL, first as one process (projections running
in it), then as ``--workers 2`` (two API processes on the port, the views kept by the
supervising process): intake scans sent on a fixed schedule of 300 a second (open loop: a
late answer delays nobody's schedule, so latency counts from when the scan was due), of 150
a second (one process), then as many as 32 connections of ``wrk`` can send. wrk is a load
generator in C (``infra/services/wrk.sh`` installs it): 16 Python scanners cost the two cores
more than the server did. Beside them, in the same run, the use case called directly by 8
threads of one process, and the CPU the server spends per scan (from /proc) beside the CPU of
that direct call. Each server's views catch up with the log (the direct baseline's events)
before its runs. Needs GONGXIAO_TEST_DATABASE_URL.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from bench._db import fresh_database, peak_rss_mb, percentile, server_url
from bench.append import _concurrent_intake
from bench.figures import Figure
from bench.http import HARVEST, _intake, _server
from infra.application import StoredGongxiao
from infra.settings import Settings
from infra.tokens import Tokens
from tests.district import seed

RATE, P99_MS, SATURATED, RSS_MB = 300.0, 50.0, 1000.0, 300.0
PROCESSES, THREADS = 2, 8  # fixed-rate scanners: threads in each of a few client processes
CONNECTIONS, WORKERS = 32, 2  # wrk's connections; API processes of the scaled-out server
WRK = Path(__file__).with_name("intake.lua")


def run(quick: bool) -> list[Figure]:
    seconds = 4.0 if quick else 20.0
    if shutil.which("wrk") is None:
        raise SystemExit("bench.http_rate needs wrk: bash infra/services/wrk.sh")
    figures: list[Figure] = []
    with fresh_database(server_url("http_rate"), "http_rate") as url, \
            tempfile.TemporaryDirectory() as var:
        settings = Settings(database_url=url, kafka_bootstrap=None, var_dir=Path(var))
        app = seed(StoredGongxiao(env=settings.event_store_env()))
        try:
            token = Tokens(app.recorder).issue(role="operator", scope="yongan")
        finally:
            app.close()
        direct = _concurrent_intake(settings.event_store_env(), seconds / 2, group=True)
        for workers in (1, WORKERS):
            server = _server(url, Path(var), workers=workers)
            server.env["GONGXIAO_RATE_PER_ADDRESS"] = "1000000/minute"
            with server as address:
                _caught_up(address)
                steady = _load(address, token, seconds, rate=RATE)
                half = _load(address, token, seconds, rate=RATE / 2) if workers == 1 else None
                flat_out = _flat_out(address, token, seconds, server.pids())
                rss = max(peak_rss_mb(pid) for pid in server.pids())
            figures += _figures(workers, steady, half, flat_out, rss, direct)
    return figures


def _figures(workers: int, steady: dict[str, float], half: dict[str, float] | None,
             flat_out: dict[str, float], rss: float, direct: dict[str, float]) -> list[Figure]:
    how = "1 process" if workers == 1 else f"{workers} processes"
    figures = [
        Figure(f"HTTP intake p99 at {RATE:g}/s offered, {how}", steady["p99"], "ms",
               "direct intake p99, 8 threads", direct["p99"], f"<= {P99_MS:g} ms",
               steady["p99"] <= P99_MS),
        Figure(f"HTTP intake p50 at {RATE:g}/s offered, {how}", steady["p50"], "ms",
               f"HTTP intake p99 at {RATE:g}/s", steady["p99"]),
        Figure(f"HTTP intake answered at {RATE:g}/s offered, {how}", steady["rate"], "scans/s",
               "offered", RATE)]
    if half is not None:
        figures.append(Figure(f"HTTP intake p99 at {RATE / 2:g}/s offered, {how}", half["p99"],
                              "ms", f"HTTP intake p50 at {RATE / 2:g}/s", half["p50"]))
    return [*figures,
        Figure(f"HTTP intake flat out, {how}", flat_out["rate"], "scans/s",
               "direct intake, 8 threads", direct["rate"], f">= {SATURATED:g}/s",
               flat_out["rate"] >= SATURATED),
        Figure(f"HTTP intake p99 flat out, {how}", flat_out["p99"], "ms",
               "direct intake p99, 8 threads", direct["p99"]),
        Figure(f"API CPU per scan flat out, {how}", flat_out["cpu_ms"], "ms",
               "direct intake CPU per command", direct["cpu_ms"]),
        Figure(f"API peak RSS during intake, {how}", rss, "MB", "this bench process peak RSS",
               peak_rss_mb(), f"<= {RSS_MB:g} MB", rss <= RSS_MB)]


def _caught_up(address: str, timeout: float = 120) -> None:
    """Wait until the server's views hold every event (the direct baseline's ~15,000 among
    them): the runs measure intake, not a projection runner catching up beside it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lags = [line for line in httpx.get(f"{address}/metrics", timeout=10).text.splitlines()
                if line.startswith("gongxiao_projection_lag_events{")]
        if lags and all(float(line.rsplit(" ", 1)[1]) == 0 for line in lags):
            return
        time.sleep(0.2)
    raise RuntimeError(f"the server's views did not catch up within {timeout:g} s")


def _flat_out(address: str, token: str, seconds: float, pids: list[int]) -> dict[str, float]:
    """wrk's connections each sending the next scan as soon as the last is answered."""
    def wrk(duration: float) -> list[str]:
        answer = subprocess.run(
            ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(duration))}s", "-s", str(WRK),
             address, "--", token, f"F{uuid.uuid4().hex[:6]}", HARVEST.isoformat(),
             (HARVEST + timedelta(hours=3)).isoformat()],
            capture_output=True, text=True, check=True)
        lines = [line for line in answer.stdout.splitlines() if line.startswith("RESULT")]
        if not lines:
            raise RuntimeError(f"wrk printed no result: {answer.stdout[-500:]} {answer.stderr[-500:]}")
        return lines[0].split()

    wrk(2)  # every connection opened and every process warm
    before = _cpu_ticks(pids)
    _, answered, micros, p50, p99, refused = wrk(seconds)
    cpu_s = (_cpu_ticks(pids) - before) / os.sysconf("SC_CLK_TCK")
    if int(refused):
        raise RuntimeError(f"{refused} intake scans were refused during the load")
    return {"rate": int(answered) / (int(micros) / 1e6), "p50": float(p50), "p99": float(p99),
            "cpu_ms": cpu_s * 1000 / max(1, int(answered))}


def _cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


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
