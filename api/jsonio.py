"""JSON over HTTP without float loss: bodies are read with exact Decimals and answered with
``infra.event_json.dumps``, so ``net_kg: 120.123`` is stored and shown as exactly that."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from infra.event_json import dumps, loads


class ExactRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads(await self.body())
        return self._json


class ExactRoute(APIRoute):
    """The route class of every router: its handler sees an ``ExactRequest``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact(request: Request) -> Response:
            return await handler(ExactRequest(request.scope, request.receive))

        return exact


class Answer(Response):
    """A JSON answer written exactly (Decimals as numbers, times RFC 3339)."""

    media_type = "application/json"

    def __init__(self, body: Any, status: int = 200,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(dumps(body), status_code=status, headers=headers)
