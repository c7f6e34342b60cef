"""What a real deployment wants in front of the API: a request size limit and a rate limit.

The size limit refuses a declared ``Content-Length`` over the limit before reading anything,
and stops a streamed body as soon as it passes it. The rate limit (``limits``, sliding window
counter: the moving window's behaviour at a constant cost, where the moving window keeps a
timestamp per request and pays for each of them on every hit) counts per token when one is
presented, else per client address; health and metrics scrapes
are not counted. Both answer problem+json; 429 says when to come back in ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import math
import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ProblemResponse
from infra.problems import problem
from infra.settings import Limits

UNCOUNTED = ("/healthz", "/metrics")


class RequestLimits:
    """ASGI middleware enforcing ``Limits``."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app, self.limits = app, limits
        self.window = SlidingWindowCounterRateLimiter(storage_from_string(limits.storage))
        self.per_token, self.per_address = parse(limits.per_token), parse(limits.per_address)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self._too_often(scope, headers) or self._too_large(headers)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self._counted(scope, receive, send)

    def _too_often(self, scope: Scope, headers: Headers) -> ProblemResponse | None:
        if scope["path"] in UNCOUNTED:
            return None
        authorization = headers.get("authorization", "")
        if authorization:
            item, who = self.per_token, "token:" + hashlib.sha256(authorization.encode()).hexdigest()
        else:
            item, who = self.per_address, "address:" + (scope.get("client") or ("?",))[0]
        if self.window.hit(item, who):
            return None
        wait = max(1, math.ceil(self.window.get_window_stats(item, who).reset_time - time.time()))
        return ProblemResponse(429, problem(
            429, f"more than {item} requests from this {who.split(':')[0]}; "
                 f"send again in {wait} s", slug="rate-limited", retry_after_s=wait),
            {"Retry-After": str(wait)})

    def _too_large(self, headers: Headers) -> ProblemResponse | None:
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limits.max_body_bytes:
            return self._large()
        return None

    def _large(self) -> ProblemResponse:
        return ProblemResponse(413, problem(
            413, f"the request body is larger than {self.limits.max_body_bytes} bytes; "
                 "split it into smaller requests", slug="too-large",
            max_body_bytes=self.limits.max_body_bytes))

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, cutting a body that streams past the limit."""
        received, started = 0, False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limits.max_body_bytes:
                    raise _TooLarge(self.limits.max_body_bytes)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except _TooLarge:
            if started:
                raise
            await self._large()(scope, receive, send)


class _TooLarge(HTTPException):
    """An HTTPException, so FastAPI lets it through its body parsing to the error handler."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes; "
                              "split it into smaller requests")
