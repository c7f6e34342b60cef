"""What every request and answer passes at the edge, before any route: an address holding a
control or invisible character is refused (it can name nothing, and PostgreSQL cannot take a
NUL), every answer carries the browser's security headers, and an unexpected error is
answered as problem+json here, so the server keeps the client's connection open.

The pages' policy allows scripts and styles from this origin only (the public pages' inline
style by its hash) and no framing. ``/docs`` and ``/redoc`` are FastAPI's pages: they load
Swagger UI or ReDoc from this server (``fastapi-offline`` ships them) and configure it inline,
so they get a policy of their own that allows inline script, and still nothing from elsewhere
and no framing.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ProblemResponse, problem_response
from contract.fields import refused_character
from infra.problems import problem, validation_problem

DOCS = ("/docs", "/redoc")
DOCS_POLICY = ("default-src 'none'; script-src 'self' 'unsafe-inline'; "
               "style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; "
               "connect-src 'self'; worker-src blob:; base-uri 'none'; form-action 'self'; "
               "frame-ancestors 'none'")


def page_policy(inline_styles: Iterable[str]) -> str:
    """The Content-Security-Policy of the pages and the API alike."""
    styles = " ".join(["'self'", *inline_styles])
    # blob: is a label sheet the station fetched with its token and opens in a tab of its
    # own: the tab inherits this policy, and its PDF viewer reads the blob.
    return ("default-src 'none'; script-src 'self'; style-src " + styles + "; img-src 'self'; "
            "connect-src 'self' blob:; object-src blob:; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'")


class Edge:
    """ASGI middleware, outermost of ours: see the module."""

    def __init__(self, app: ASGIApp, inline_styles: Iterable[str]) -> None:
        self.app = app
        common = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                  (b"referrer-policy", b"no-referrer")]
        self.pages = [*common, (b"content-security-policy", page_policy(inline_styles).encode())]
        self.docs = [*common, (b"content-security-policy", DOCS_POLICY.encode())]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = self.docs if scope["path"].startswith(DOCS) else self.pages
        started = False

        async def securing(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": [*message.get("headers", ()), *secure]}
            await send(message)

        refusal = _unreadable(scope)
        try:
            await (refusal or self.app)(scope, receive, securing)
        except Exception as error:
            # Starlette answers it too but then re-raises, and uvicorn drops the connection.
            if started:
                raise
            await problem_response(error)(scope, receive, securing)


def _unreadable(scope: Scope) -> ProblemResponse | None:
    """A 404 for a path holding a refused character, a 422 for such a query parameter."""
    found = refused_character(scope["path"])
    if found is not None:
        return ProblemResponse(404, problem(404, f"there is nothing at an address holding {found}",
                                            slug="not-found"))
    query = scope.get("query_string", b"")
    if not query:
        return None
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        found = refused_character(name + value)
        if found is not None:
            status, body = validation_problem([{"loc": ("query", name),
                                                "msg": f"must not contain {found}"}])
            return ProblemResponse(status, body)
    return None
