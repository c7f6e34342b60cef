"""PostgreSQL stopped under a running ``gongxiao serve`` and started again, cleanly (``-m fast``:
sessions cut, a clean shutdown) and as a crash (``-m immediate``: recovery from the WAL). The
server is never restarted: writes resume by themselves, no acknowledged scan is lost, the views
catch up within ``RECOVERY_S`` and /healthz answers within ``ANSWER_S`` throughout, 503 while
the database is down."""

from __future__ import annotations

import time

import pytest

from tests.faults.checks import (
    ANSWER_S,
    LOAD_S,
    NOTICE_S,
    Findings,
    Ledger,
    check_nothing_lost,
    check_recovered,
    check_writes_resume,
)
from tests.faults.conftest import District, Operator
from tests.faults.load import HealthWatch, HttpScans, Sample
from tests.faults.postgres import ThrowawayPostgres
from tests.servers import free_port

pytestmark = pytest.mark.faults
OUTAGE_S = 12  # long enough for every pooled and listening connection to find it gone


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_serve_rides_out_postgresql_stopped_and_started_losing_nothing(
        mode: str, throwaway_postgres: ThrowawayPostgres, district: District, operator: Operator,
        ledger: Ledger) -> None:
    port, findings = free_port(), Findings()
    url = f"http://127.0.0.1:{port}"
    server = operator.serve(port)
    with HealthWatch(url) as watch, HttpScans(url, district.token, prefix=f"P{mode[0]}") as load:
        assert load.progressed(20, timeout_s=30), f"the server took no scans: {load.answers}"
        time.sleep(LOAD_S)
        down_at = time.monotonic()
        throwaway_postgres.stop(mode)
        try:
            time.sleep(OUTAGE_S)  # the outage, under load
        finally:
            restart_at = time.monotonic()  # down until here at least
            throwaway_postgres.start()
        up_at = time.monotonic()
        check_writes_resume(findings, load, since=up_at)
        time.sleep(LOAD_S)
    during = watch.between(down_at + NOTICE_S, restart_at)
    findings.check(during and all(s.status == 503 for s in during),
                   f"/healthz while PostgreSQL was down: {_summary(during)}")
    slow = [s for s in watch.samples if s.seconds > ANSWER_S or s.status is None]
    findings.check(not slow, f"/healthz took longer than {ANSWER_S} s or did not answer "
                             f"{len(slow)} times: {_summary(slow)}")
    check_nothing_lost(findings, ledger, load.acknowledged)
    check_recovered(findings, ledger, url, load.acknowledged, since=up_at)
    findings.check(server.poll() is None, f"gongxiao serve exited:\n{operator.tail('serve')}")
    findings.verdict()


def _summary(samples: list[Sample]) -> str:
    return ", ".join(f"{s.status}{'/' + s.health if s.health else ''} in {s.seconds:.1f} s"
                     for s in samples[:8]) or "no answer"
