"""Kafka's side under load: the broker killed (``kill -9``) and started again under the running
relay and scan worker, and those two killed and started again. Every event reaches the events
topic (at least once, in log order per key), every scan the broker acknowledged is recorded
or rejected with a reason, and nothing is restarted but what was killed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from subprocess import Popen

import pytest

from infra.settings import Topics
from tests.faults.broker import ThrowawayBroker
from tests.faults.checks import (
    ANSWER_S,
    LOAD_S,
    NOTICE_S,
    Findings,
    Ledger,
    check_nothing_lost,
    check_recovered,
    settle,
)
from tests.faults.conftest import District, Operator
from tests.faults.load import HealthWatch, HttpScans, KafkaScans
from tests.servers import free_port

pytestmark = pytest.mark.faults
OUTAGE_S = 10
KAFKA_RECOVERY_S = 60  # after the broker or a worker is back, everything has reached Kafka


def test_relay_and_scan_worker_ride_out_the_broker_killed_and_restarted(
        district: District, kafka_operator: Operator, throwaway_broker: ThrowawayBroker,
        topics: Topics, ledger: Ledger) -> None:
    with _under_load(district, kafka_operator, throwaway_broker, topics, ledger) as scene:
        down_at = time.monotonic()
        throwaway_broker.kill()
        try:
            time.sleep(OUTAGE_S)  # the outage, under load
        finally:
            restart_at = time.monotonic()  # down until here at least
            throwaway_broker.start()
        up_at, taken = time.monotonic(), len(scene.gateway.produced)
        scene.findings.check(settle(lambda: len(scene.gateway.produced) > taken,
                                    within_s=KAFKA_RECOVERY_S),
                             f"the broker took no scan after its restart ({scene.gateway.failed} failed)")
        time.sleep(LOAD_S)
    findings = scene.findings
    findings.check(all(w.poll() is None for w in scene.workers), "a worker died with the broker:\n"
                   + kafka_operator.tail("relay") + kafka_operator.tail("scans"))
    during = scene.watch.between(down_at + NOTICE_S, restart_at)
    findings.check(during and not any(s.status == 200 and s.health == "ok" for s in during),
                   f"/healthz said ok while the broker was down: {[s for s in during if s.health]}")
    slow = [s for s in scene.watch.samples if s.seconds > ANSWER_S or s.status is None]
    findings.check(not slow, f"/healthz took longer than {ANSWER_S} s or did not answer: {slow[:5]}")
    _check_everything_taken(scene, ledger, throwaway_broker.bootstrap, topics, since=up_at)


def test_relay_and_scan_worker_killed_under_load_resume_where_they_stopped(
        district: District, kafka_operator: Operator, throwaway_broker: ThrowawayBroker,
        topics: Topics, ledger: Ledger) -> None:
    with _under_load(district, kafka_operator, throwaway_broker, topics, ledger) as scene:
        for worker in scene.workers:
            kafka_operator.kill(worker)
        time.sleep(1)  # scans and events pile up while nothing takes them
        scene.workers = _workers(kafka_operator)
        up_at = time.monotonic()
        time.sleep(LOAD_S)
    scene.findings.check(all(w.poll() is None for w in scene.workers), "a restarted worker exited:\n"
                         + kafka_operator.tail("relay") + kafka_operator.tail("scans"))
    scene.findings.check(all(s.status == 200 and s.seconds <= ANSWER_S for s in scene.watch.samples),
                         f"/healthz while the workers were killed: {scene.watch.samples[:5]}")
    _check_everything_taken(scene, ledger, throwaway_broker.bootstrap, topics, since=up_at)


@dataclass
class Scene:
    url: str
    server: Popen[bytes]
    workers: list[Popen[bytes]]
    watch: HealthWatch
    http: HttpScans
    gateway: KafkaScans
    findings: Findings


@contextmanager
def _under_load(district: District, operator: Operator, broker: ThrowawayBroker, topics: Topics,
                ledger: Ledger) -> Iterator[Scene]:
    """``gongxiao serve``, the relay and the scan worker, once they are recording the load of
    HTTP and Kafka gateways; the load stops when the block ends."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = operator.serve(port)
    workers = _workers(operator)
    with (HealthWatch(url) as watch, HttpScans(url, district.token, prefix="H") as http,
          KafkaScans(broker.bootstrap, topics.scans, prefix="K") as gateway):
        assert http.progressed(20, timeout_s=30), f"the server took no scans: {http.answers}"
        assert settle(lambda: len(gateway.produced) > 20, within_s=30), "the broker took no scans"
        first = [p.code for p in gateway.produced[:20] if p.code]
        assert settle(lambda: not ledger.missing_from_store(first), within_s=30), (
            f"the first scans were not recorded (relay, scan worker exit: "
            f"{[w.poll() for w in workers]}):\n{operator.tail('scans', 8)}")
        time.sleep(LOAD_S)
        yield Scene(url, server, workers, watch, http, gateway, Findings())


def _workers(operator: Operator) -> list[Popen[bytes]]:
    return [operator.run("worker", "relay", log="relay"), operator.run("worker", "scans", log="scans")]


def _check_everything_taken(scene: Scene, ledger: Ledger, bootstrap: str, topics: Topics, *,
                            since: float) -> None:
    """Every scan the broker acknowledged is recorded or rejected, every acknowledged batch is
    in the trace view, the whole log is on the events topic: by ``KAFKA_RECOVERY_S``; and
    ``gongxiao serve`` ran throughout. Then the verdict."""
    findings, gateway, http = scene.findings, scene.gateway, scene.http
    recorded = [p.code for p in gateway.produced if p.code]
    findings.check(findings.settled("scans recorded", lambda: not ledger.missing_from_store(recorded),
                                    since=since, within_s=KAFKA_RECOVERY_S),
                   f"{len(ledger.missing_from_store(recorded))} of {len(recorded)} scans acknowledged "
                   "by the broker are not recorded")
    refused = {(p.partition, p.offset) for p in gateway.produced if p.code is None}
    rejected = lambda: {(r["source"]["partition"], r["source"]["offset"])  # noqa: E731
                        for r in ledger.rejected(bootstrap, topics.rejected)}
    findings.check(findings.settled("bad scans rejected", lambda: refused <= rejected(), since=since,
                                    within_s=KAFKA_RECOVERY_S, every_s=2),
                   f"{len(refused - rejected())} of {len(refused)} bad scans never reached "
                   f"{topics.rejected}")
    check_nothing_lost(findings, ledger, http.acknowledged, "acknowledged HTTP scans")
    check_recovered(findings, ledger, scene.url, http.acknowledged + recorded, since=since,
                    within_s=KAFKA_RECOVERY_S)
    findings.check(findings.settled("log on the events topic",
                                    lambda: ledger.relayed_in_order(bootstrap, topics.events),
                                    since=since, within_s=KAFKA_RECOVERY_S, every_s=2),
                   f"the log did not reach {topics.events} whole and in order per key "
                   f"{KAFKA_RECOVERY_S} s after recovery")
    findings.check(scene.server.poll() is None, f"gongxiao serve exited: {scene.server.returncode}")
    findings.verdict()
