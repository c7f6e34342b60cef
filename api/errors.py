"""Every error the API answers is ``application/problem+json``; the mapping itself is
``infra.problems`` (shared with the scan worker), this only wires it into FastAPI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match

from domain.errors import DomainError
from infra.event_json import dumps
from infra.problems import (
    MEDIA_TYPE,
    RETRY_AFTER_S,
    Problem,
    problem,
    problem_for,
    validation_problem,
)

METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")


class ProblemResponse(Response):
    media_type = MEDIA_TYPE

    def __init__(self, status: int, body: Mapping[str, Any],
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(dumps(body), status_code=status, headers=headers)


def problem_response(exc: BaseException) -> ProblemResponse:
    status, body = problem_for(exc)
    headers = dict(getattr(exc, "headers", None) or {})
    if status == 503:  # every 503 is an outage that passes: say when to come back
        headers.setdefault("Retry-After", str(RETRY_AFTER_S))
    return ProblemResponse(status, body, headers)


def install(api: FastAPI) -> None:
    api.add_exception_handler(Problem, _problem)
    api.add_exception_handler(DomainError, _problem)
    api.add_exception_handler(RequestValidationError, _validation)
    api.add_exception_handler(HTTPException, _http)
    api.add_exception_handler(Exception, _problem)


async def _problem(request: Request, exc: Exception) -> Response:
    return problem_response(exc)


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    status, body = validation_problem(exc.errors())
    return ProblemResponse(status, body)


async def _http(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals: unknown route, method not allowed, unreadable body. No route
    takes OPTIONS: it is answered here, with the methods the path takes."""
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=headers)
    details = {404: f"there is nothing at {request.url.path}",
               405: f"{request.method} is not allowed on {request.url.path}",
               400: "the request body could not be read"}
    detail = details.get(exc.status_code) or str(exc.detail)
    return ProblemResponse(exc.status_code, problem(exc.status_code, detail), headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route takes at this path (Starlette names only the first route's)."""
    routes = request.app.router.routes
    return sorted({"OPTIONS"} | {method for method in METHODS if any(
        route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)})
