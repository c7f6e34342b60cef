"""Health and metrics: what a load balancer and Prometheus ask."""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi import APIRouter, Request, Response

from api.jsonio import Answer, ExactRoute
from api.metrics import CONTENT_TYPE
from api.schemas.problems import answers
from infra.problems import Problem

router = APIRouter(tags=["operations"], route_class=ExactRoute)


@router.get("/healthz", response_model=None,
            responses={**answers(200, None, "the store (and Kafka, when configured) answer"),
                       503: {"description": "what is down, as problem+json with `checks`"}})
def healthz(request: Request) -> Answer:
    state = request.app.state
    checks: dict[str, Any] = {}
    try:
        checks["store"] = {"ok": True, "events": state.gongxiao.recorder.max_notification_id() or 0}
    except Exception as error:
        checks["store"] = {"ok": False, "error": type(error).__name__}
    bootstrap = state.settings.kafka_bootstrap
    checks["kafka"] = state.kafka_probe.check(bootstrap) if bootstrap else {"ok": True,
                                                                           "configured": False}
    down = [name for name, check in checks.items() if not check["ok"]]
    if down:
        raise Problem(503, f"down: {', '.join(down)}", slug="unhealthy", checks=checks)
    return Answer({"status": "ok", "checks": checks})


@router.get("/metrics", response_class=Response, responses={200: {
    "description": "Prometheus text exposition", "content": {CONTENT_TYPE: {}}}})
def metrics(request: Request) -> Response:
    return Response(request.app.state.metrics.text(), media_type=CONTENT_TYPE)


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
