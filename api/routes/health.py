"""Health and metrics: what a load balancer and Prometheus ask.

``/healthz`` answers within ``HEALTH_S`` whatever the database does: the store and the views
are probed in a thread of their own, one probe at a time, and a probe still waiting past the
deadline is reported as a timeout (503). The views are ``catching_up`` while they move and
``stuck`` (503) when they stand behind the log; faults, and a broker out of reach, answer 200
with status ``degraded``.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from typing import Any

from fastapi import APIRouter, Request, Response

from api.jsonio import Answer, ExactRoute
from api.metrics import CONTENT_TYPE
from contract.health import HealthPublic
from contract.problems import answers
from infra.problems import Unavailable
from infra.views.watch import STUCK, ViewsWatch

HEALTH_S = 2.0  # the longest /healthz waits for the database

router = APIRouter(tags=["operations"], route_class=ExactRoute)


@router.get("/healthz", response_model=HealthPublic,
            responses={**answers(200, HealthPublic,
                                 "the store (and Kafka, when configured) answer: ok or degraded"),
                       503: {"description": "what is down, as problem+json with `checks`"}})
def healthz(request: Request) -> Answer:
    state = request.app.state
    deadline = time.monotonic() + HEALTH_S
    probing = state.readiness.start()  # meanwhile Kafka is asked
    bootstrap = state.settings.kafka_bootstrap
    kafka = state.kafka_probe.check(bootstrap) if bootstrap else {"ok": True, "configured": False}
    found = state.readiness.result(probing, max(0.0, deadline - time.monotonic()))
    checks: dict[str, Any] = {"store": found["store"], "kafka": kafka, "views": found["views"]}
    down = [] if checks["store"]["ok"] else ["store"]
    if "error" in checks["views"] or any(v["state"] == STUCK for v in checks["views"].values()):
        down.append("views")
    if down:
        raise Unavailable(f"down: {', '.join(down)}", slug="unhealthy", checks=checks)
    # The broker down, this server still takes every write (the relay publishes them later):
    # a load balancer must keep sending it work, so that is degraded, not unavailable.
    faulted = any(v["faults"] for v in checks["views"].values())
    return Answer({"status": "degraded" if faulted or not kafka["ok"] else "ok", "checks": checks})


@router.get("/metrics", response_class=Response, responses={200: {
    "description": "Prometheus text exposition", "content": {CONTENT_TYPE: {}}}})
def metrics(request: Request) -> Response:
    return Response(request.app.state.metrics.text(), media_type=CONTENT_TYPE)


class Readiness:
    """The store's head and the views' state, probed in a daemon thread so a database that
    accepts connections and never answers cannot hold a request; while a probe hangs, later
    checks wait on it rather than start another."""

    def __init__(self, *, app: Any, views: Any, stuck_s: float) -> None:
        self.app, self.views = app, views
        self.watch = ViewsWatch(stuck_s=stuck_s)
        self.probing: Future[dict[str, Any]] | None = None
        self.lock = threading.Lock()

    def start(self) -> Future[dict[str, Any]]:
        with self.lock:
            if self.probing is None or self.probing.done():
                self.probing = Future()
                threading.Thread(target=self._run, args=(self.probing,), daemon=True,
                                 name="healthz-probe").start()
            return self.probing

    def result(self, probing: Future[dict[str, Any]], timeout: float) -> dict[str, Any]:
        try:
            return probing.result(timeout)
        except TimeoutError:
            return {"store": {"ok": False, "error": "Timeout"}, "views": {}}

    def _run(self, probing: Future[dict[str, Any]]) -> None:
        try:
            probing.set_result(self._probe())
        except BaseException as error:  # a probe that never answers would fail every check
            probing.set_result({"store": {"ok": False, "error": type(error).__name__},
                                "views": {}})

    def _probe(self) -> dict[str, Any]:
        try:
            head = self.app.recorder.max_notification_id() or 0
        except Exception as error:
            return {"store": {"ok": False, "error": type(error).__name__}, "views": {}}
        store = {"ok": True, "events": head}
        try:
            lags, faults = self.views.lag(self.app), self.views.store.fault_counts()
        except Exception as error:
            return {"store": store, "views": {"error": type(error).__name__}}
        return {"store": store, "views": self.watch.check(lags, faults)}


class KafkaProbe:
    """A short metadata request to the brokers, remembered a few seconds so health checks
    never pile up connections."""

    def __init__(self, *, timeout_s: float = 2.0, remember_s: float = 5.0) -> None:
        self.timeout_s, self.remember_s = timeout_s, remember_s
        self._last: tuple[float, dict[str, Any]] | None = None
        self._lock = threading.Lock()

    def check(self, bootstrap: str) -> dict[str, Any]:
        with self._lock:
            if self._last and time.monotonic() - self._last[0] < self.remember_s:
                return self._last[1]
            result = self._probe(bootstrap)
            self._last = (time.monotonic(), result)
            return result

    def _probe(self, bootstrap: str) -> dict[str, Any]:
        from kafka import KafkaConsumer

        timeout_ms = int(self.timeout_s * 1000)
        try:
            consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(","),
                                     request_timeout_ms=max(timeout_ms, 600),
                                     bootstrap_timeout_ms=timeout_ms,
                                     client_id="gongxiao-healthz")
            try:
                topics = consumer.topics()
            finally:
                consumer.close()
        except Exception as error:
            return {"ok": False, "bootstrap": bootstrap, "error": type(error).__name__}
        return {"ok": True, "bootstrap": bootstrap, "topics": len(topics)}
