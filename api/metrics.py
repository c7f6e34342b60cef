"""Prometheus metrics of one API process: requests and their latency per route, the event
log's head, and how far each projection is behind it (read at scrape time)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
log = logging.getLogger("gongxiao.metrics")


class Metrics:
    def __init__(self, *, head: Callable[[], int], lag: Callable[[], dict[str, Any]],
                 faults: Callable[[], dict[str, int]]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("gongxiao_http_requests", "HTTP requests answered",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("gongxiao_http_request_duration_seconds",
                                 "time to answer an HTTP request", ["method", "route"],
                                 registry=self.registry,
                                 buckets=(.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
        self.registry.register(_LogCollector(head, lag, faults))

    def text(self) -> bytes:
        return generate_latest(self.registry)


class MeasureRequests:
    """ASGI middleware counting and timing every request by its route template."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def watching_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(scope["method"], route).observe(
                time.perf_counter() - started)


class _LogCollector(Collector):
    def __init__(self, head: Callable[[], int], lag: Callable[[], dict[str, Any]],
                 faults: Callable[[], dict[str, int]]) -> None:
        self.head, self.lag, self.faults = head, lag, faults

    def collect(self) -> Iterator[Metric]:
        try:
            head = GaugeMetricFamily("gongxiao_events_appended",
                                     "events in the log (its last notification id)")
            head.add_metric([], self.head())
            yield head
            events = GaugeMetricFamily("gongxiao_projection_lag_events",
                                       "events a projection has not yet applied", labels=["view"])
            seconds = GaugeMetricFamily("gongxiao_projection_lag_seconds",
                                        "age of the oldest event a projection has not applied",
                                        labels=["view"])
            lags = self.lag()
            for name, lag in lags.items():
                events.add_metric([name], lag.events_behind)
                seconds.add_metric([name], lag.seconds_behind)
            yield events
            yield seconds
            faults = GaugeMetricFamily("gongxiao_projection_faults",
                                       "events a projection could not take and went on without "
                                       "(gongxiao projections faults)", labels=["view"])
            counted = self.faults()
            for name in sorted(lags.keys() | counted.keys()):  # and the Kafka-fed views'
                faults.add_metric([name], counted.get(name, 0))
            yield faults
        except Exception as error:  # a scrape must answer even when the store is down
            log.warning("metrics of the log unavailable: %r", error)
