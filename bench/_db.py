"""What the PostgreSQL benchmarks share: the server's URL, a database of their own for a run,
percentiles, and the peak memory of a process."""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg


def server_url(bench: str) -> str:
    url = os.environ.get("GONGXIAO_TEST_DATABASE_URL") or os.environ.get("GONGXIAO_DATABASE_URL")
    if not url:
        raise SystemExit(f"bench.{bench} needs PostgreSQL: set GONGXIAO_TEST_DATABASE_URL")
    return url


@contextmanager
def fresh_database(base: str, tag: str) -> Iterator[str]:
    """A database of its own for the run (``gongxiao_bench_<tag>_…``), dropped afterwards."""
    name = f"gongxiao_bench_{tag}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield urlunsplit(urlsplit(base)._replace(path="/" + name))
    finally:
        _drop(base, name)


def _drop(base: str, name: str) -> None:
    """Drop a bench database; plain DROP also stops the server's autovacuum in it (which
    WITH (FORCE) may not, lacking the right), so it is tried first, a few times."""
    with psycopg.connect(base, autocommit=True) as conn:
        for _ in range(20):
            try:
                conn.execute(f"DROP DATABASE IF EXISTS {name}")
                return
            except psycopg.errors.ObjectInUse:
                time.sleep(0.5)
        try:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        except psycopg.Error as refused:
            print(f"could not drop {name}: {refused}", file=sys.stderr)


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
