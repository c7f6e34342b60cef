"""What the PostgreSQL benchmarks share: the server's URL, a database of their own for a run,
percentiles, and the peak memory of a process."""

from __future__ import annotations

import os
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from tests.databases import own_database


def server_url(bench: str) -> str:
    url = os.environ.get("GONGXIAO_TEST_DATABASE_URL") or os.environ.get("GONGXIAO_DATABASE_URL")
    if not url:
        raise SystemExit(f"bench.{bench} needs PostgreSQL: set GONGXIAO_TEST_DATABASE_URL")
    return url


@contextmanager
def fresh_database(base: str, tag: str) -> Iterator[str]:
    """A database of its own for the run (``gongxiao_bench_<tag>_…``), dropped afterwards."""
    with own_database(base, f"gongxiao_bench_{tag}", strict=False) as url:
        yield url


def settle(url: str) -> None:
    """Write the server's dirty pages out now (CHECKPOINT), so the writes of the benchmark
    before (a million events for catch-up) do not stall the commits of the next."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")


def durable(url: str) -> bool:
    """Whether a commit waits for its WAL to reach the disk (the server's settings)."""
    with psycopg.connect(url) as conn:
        sync = conn.execute("SHOW synchronous_commit").fetchone()
        fsync = conn.execute("SHOW fsync").fetchone()
    return bool(sync and fsync and sync[0] != "off" and fsync[0] == "on")


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(sorted(values), n=100, method="inclusive")[p - 1]


def peak_rss_mb(pid: int | None = None) -> float:
    """The most resident memory a process has had (VmHWM), in MB."""
    status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    return kb / 1024
