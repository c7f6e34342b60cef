"""The composition root of the HTTP API: ``create_app()`` wires the application to FastAPI."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from domain.application import Gongxiao
from infra.composition import build_application


def create_app(app: Gongxiao | None = None) -> FastAPI:
    gongxiao = app or build_application()
    api = FastAPI(title="Gongxiao", version="0.1.0")
    api.state.gongxiao = gongxiao

    @api.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "events": gongxiao.recorder.max_notification_id() or 0}

    return api
