"""What a real deployment wants in front of the API: a request size limit and a rate limit.

The size limit refuses a declared ``Content-Length`` over the limit before reading anything,
and stops a streamed body as soon as it passes it (EPCIS capture, whose documents run to tens
of megabytes, has a limit of its own). The rate limit (``limits``, sliding window
counter: the moving window's behaviour at a constant cost, where the moving window keeps a
timestamp per request and pays for each of them on every hit) counts a request with a valid
token against the token (however its header is spelled), and any other request against its
client address: a made-up header per request gains nothing. A token is looked up here, once:
a malformed one never, one looked up lately not again (``Tokens`` remembers both answers),
and a new one only while the address has failed lookups to spare (``failed_auth``), so
made-up tokens cost a bounded number of database queries. Health and metrics scrapes are
not counted. Both answer problem+json; 429 says when to come back in ``Retry-After``.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ProblemResponse
from infra.problems import problem
from infra.settings import Limits
from infra.tokens import Principal, Tokens, bearer_token

CALLER = "gongxiao.caller"  # the scope key of the verified Principal (or None) for api.deps

UNCOUNTED = ("/healthz", "/metrics")
CAPTURE = "/epcis/capture"  # takes EPCIS documents of up to Limits.capture_body_bytes


class RequestLimits:
    """ASGI middleware enforcing ``Limits``."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app, self.limits = app, limits
        self.window = SlidingWindowCounterRateLimiter(storage_from_string(limits.storage))
        self.per_token, self.per_address = parse(limits.per_token), parse(limits.per_address)
        self.failed_auth = parse(limits.failed_auth)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = await self._too_often(scope, headers) or self._too_large(scope, headers)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self._counted(scope, receive, send)

    async def _too_often(self, scope: Scope, headers: Headers) -> ProblemResponse | None:
        if scope["path"] in UNCOUNTED:
            return None
        address = "address:" + (scope.get("client") or ("?",))[0]
        authorization = headers.get("authorization")
        principal = (None if authorization is None
                     else await self._verified(scope["app"].state.tokens, authorization, address))
        if isinstance(principal, ProblemResponse):
            return principal
        scope[CALLER] = principal
        if principal is None:
            return self._hit(self.per_address, address)
        return self._hit(self.per_token, f"token:{principal.token_id}")

    async def _verified(self, tokens: Tokens, authorization: str,
                        address: str) -> Principal | ProblemResponse | None:
        """Who the header's token speaks for. Only a well-formed token not looked up lately
        reaches the database, and only while the address has failed lookups to spare."""
        token = bearer_token(authorization)
        if token is None or tokens.refused_lately(token):
            return None
        principal = tokens.remembered(token)
        if principal is not None:
            return principal
        if not self.window.test(self.failed_auth, address):
            return self._too_many(self.failed_auth, address, what="unknown tokens")
        principal = await run_in_threadpool(tokens.principal, token)
        if principal is None:
            self.window.hit(self.failed_auth, address)
        return principal

    def _hit(self, item: RateLimitItem, who: str) -> ProblemResponse | None:
        if self.window.hit(item, who):
            return None
        return self._too_many(item, who)

    def _too_many(self, item: RateLimitItem, who: str, what: str = "requests") -> ProblemResponse:
        wait = max(1, math.ceil(self.window.get_window_stats(item, who).reset_time - time.time()))
        return ProblemResponse(429, problem(
            429, f"more than {item} {what} from this {who.split(':')[0]}; "
                 f"send again in {wait} s", slug="rate-limited", retry_after_s=wait),
            {"Retry-After": str(wait)})

    def _largest(self, scope: Scope) -> int:
        return (self.limits.capture_body_bytes if scope["path"] == CAPTURE
                else self.limits.max_body_bytes)

    def _too_large(self, scope: Scope, headers: Headers) -> ProblemResponse | None:
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self._largest(scope):
            return self._large(self._largest(scope))
        return None

    def _large(self, largest: int) -> ProblemResponse:
        return ProblemResponse(413, problem(
            413, f"the request body is larger than {largest} bytes; "
                 "split it into smaller requests", slug="too-large", max_body_bytes=largest))

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, cutting a body that streams past the limit."""
        received, started, largest = 0, False, self._largest(scope)

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > largest:
                    raise _TooLarge(largest)
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
            await self._large(largest)(scope, receive, send)


class _TooLarge(HTTPException):
    """An HTTPException, so FastAPI lets it through its body parsing to the error handler."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes; "
                              "split it into smaller requests")
