"""``kill -9`` of ``gongxiao serve`` under load, and of the ``serve --workers 2`` supervisor:
an operator starts it again on the same port, no acknowledged scan is lost and the views catch
up with everything within ``RECOVERY_S``."""

from __future__ import annotations

import time

import pytest

from tests.faults.checks import (
    LOAD_S,
    Findings,
    Ledger,
    check_nothing_lost,
    check_recovered,
    check_writes_resume,
    health,
    settle,
)
from tests.faults.conftest import District, Operator
from tests.faults.load import HttpScans
from tests.servers import api_workers, free_port, running

pytestmark = pytest.mark.faults
ORPHANS_S = 15  # the API processes of a killed supervisor are gone within this


def test_acknowledged_scans_survive_kill_9_of_the_server_and_its_restart(
        district: District, operator: Operator, ledger: Ledger) -> None:
    port, findings = free_port(), Findings()
    url = f"http://127.0.0.1:{port}"
    server = operator.serve(port)
    with HttpScans(url, district.token, prefix="S") as load:
        assert load.progressed(20, timeout_s=30), f"the server took no scans: {load.answers}"
        time.sleep(LOAD_S)  # under load: writes in flight when it dies
        operator.kill(server)
        restarted = operator.serve(port)
        up_at = time.monotonic()
        check_writes_resume(findings, load, since=up_at)
        time.sleep(LOAD_S)  # the restarted server under load while it catches up
    check_nothing_lost(findings, ledger, load.acknowledged)
    check_recovered(findings, ledger, url, load.acknowledged, since=up_at)
    findings.check(restarted.poll() is None, f"the restarted server exited:\n{operator.tail('serve')}")
    findings.verdict()


def test_killing_the_supervisor_takes_its_api_processes_down_and_a_new_one_takes_the_port(
        district: District, operator: Operator, ledger: Ledger) -> None:
    port, findings = free_port(), Findings()
    url = f"http://127.0.0.1:{port}"
    supervisor = operator.serve(port, "--workers", "2")
    workers = api_workers(supervisor.pid)
    operator.orphans += workers
    assert len(workers) == 2, f"API processes of the supervisor: {workers}"
    with HttpScans(url, district.token, prefix="W") as load:
        assert load.progressed(20, timeout_s=30), f"the server took no scans: {load.answers}"
        time.sleep(LOAD_S)
        operator.kill(supervisor)
        findings.check(findings.settled("API processes gone", lambda: not any(map(running, workers)),
                                        since=time.monotonic(), within_s=ORPHANS_S),
                       f"API processes {[p for p in workers if running(p)]} still run {ORPHANS_S} s "
                       "after their supervisor was killed")
        restarted = operator.run("serve", "--port", str(port), "--workers", "2", log="serve-again")
        settle(lambda: restarted.poll() is not None or (
            len(api_workers(restarted.pid)) == 2 and health(url)[0] == 200), within_s=60)
        if restarted.poll() is not None or len(api_workers(restarted.pid)) != 2:
            findings.check(False, "a new supervisor could not serve on the port:\n"
                                  + operator.tail("serve-again", 10))
            findings.verdict()
        operator.orphans += api_workers(restarted.pid)
        up_at = time.monotonic()
        check_writes_resume(findings, load, since=up_at)
        time.sleep(LOAD_S)  # the restarted server under load while it catches up
    check_nothing_lost(findings, ledger, load.acknowledged)
    check_recovered(findings, ledger, url, load.acknowledged, since=up_at)
    findings.verdict()

