"""The buyer's trace page: its weight and its server time, beside the JSON trace of the same packs.

The demo week is loaded into an embedded store in a temporary folder, the views are caught up,
then GET /t/{code} and GET /v1/trace/{code} are sent in turn for the same pack codes through
the whole app in process (ASGI, no network), so the page's cost over its data is what differs.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from api.limits import Limits
from api.main import create_app
from bench.figures import Figure
from infra.application import StoredGongxiao
from infra.demo import load_demo
from infra.settings import Settings
from infra.views import build_views

WEIGHT_LIMIT_KB = 60.0
TIME_TARGET_MS = 50.0


def run(quick: bool) -> list[Figure]:
    rounds = 60 if quick else 600
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=None, kafka_bootstrap=None, var_dir=Path(folder))
        app = StoredGongxiao(env=settings.event_store_env())
        views = build_views(settings)
        try:
            demo = load_demo(app)
            views.runner(app).catch_up()
            codes = [p["pack_code"] for batch in demo["batches"]
                     for p in views.trace.recall(batch_code=batch)["packs"]][::7]
            api = create_app(app, settings=settings, views=views, project=False,
                             limits=Limits(per_token="1000000/minute", per_address="1000000/minute"))
            with TestClient(api) as client:
                page, data = _measure(client, codes, rounds)
        finally:
            views.close()
            app.close()
    page_kb, data_kb = max(page["bytes"]) / 1024, max(data["bytes"]) / 1024
    return [
        Figure("trace page weight, largest (KB)", page_kb, "KB", "JSON trace body, largest", data_kb,
               target=f"< {WEIGHT_LIMIT_KB:g} KB", met=page_kb < WEIGHT_LIMIT_KB),
        Figure("trace page server time p50", _p(page["ms"], 50), "ms", "GET /v1/trace/{code} p50",
               _p(data["ms"], 50), target=f"< {TIME_TARGET_MS:g} ms",
               met=_p(page["ms"], 50) < TIME_TARGET_MS),
        Figure("trace page server time p99", _p(page["ms"], 99), "ms", "GET /v1/trace/{code} p99",
               _p(data["ms"], 99)),
    ]


def _measure(client: TestClient, codes: list[str], rounds: int) -> tuple[dict[str, list[float]], ...]:
    page: dict[str, list[float]] = {"ms": [], "bytes": []}
    data: dict[str, list[float]] = {"ms": [], "bytes": []}
    for i in range(rounds):
        code = codes[i % len(codes)]
        # Alternate which goes first, so neither always finds the other's warm caches.
        order = ((f"/t/{code}", page), (f"/v1/trace/{code}", data))
        for path, into in order if i % 2 else order[::-1]:
            started = time.perf_counter()
            answer = client.get(path)
            into["ms"].append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, (path, answer.status_code)
            into["bytes"].append(len(answer.content))
    return page, data


def _p(values: list[float], percentile: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percentile - 1]
