"""Every refusal as RFC 9457 problem details, decided in one place.

The API answers these as ``application/problem+json``; the scan worker publishes the same
dict on ``gongxiao.scans.rejected``. Domain errors map by category (NotFound 404, Conflict
409, Invalid 422), validation errors list each field, a database out of reach (the event
store's or the views') is 503 and says when to try again, and anything unexpected is a bare
500 that says nothing of the inside.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

import psycopg
from eventsourcing.persistence import PersistenceError
from pydantic import ValidationError

from domain.errors import Conflict, DomainError, Invalid, NotFound
from infra.event_json import jsonable

MEDIA_TYPE = "application/problem+json"
TYPES = "https://gongxiao.example/problems/"
STANDARD = ("type", "title", "status", "detail", "instance", "errors")
TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
          405: "Method not allowed", 409: "Conflict", 413: "Content too large",
          415: "Unsupported media type", 422: "Unprocessable content", 429: "Too many requests",
          500: "Internal server error", 503: "Service unavailable"}
RETRY_AFTER_S = 2  # what a 503 asks a client to wait: about one reconnection of the database
# The event store's errors, and a database the views read directly that cannot be reached.
UNAVAILABLE = (PersistenceError, psycopg.OperationalError, psycopg.InterfaceError,
               sqlite3.OperationalError)
log = logging.getLogger("gongxiao.problems")


class Problem(Exception):
    """A refusal decided outside the domain (auth, limits, protocol), already an HTTP status."""

    def __init__(self, status: int, detail: str, *, slug: str | None = None,
                 errors: Iterable[Mapping[str, str]] | None = None,
                 headers: Mapping[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.detail, self.slug = status, detail, slug
        self.errors = list(errors) if errors is not None else None
        self.headers = dict(headers or {})
        self.extra = extra


class Unauthorized(Problem):
    """No token, or one the store does not know (unknown, expired, revoked)."""

    def __init__(self, detail: str) -> None:
        super().__init__(401, detail, slug="unauthorized", headers={"WWW-Authenticate": "Bearer"})


class Forbidden(Problem):
    """Outside the token's role or scope."""

    def __init__(self, detail: str, *, slug: str = "forbidden") -> None:
        super().__init__(403, detail, slug=slug)


class InvalidField(Problem):
    """A field refused beyond its model's own checks: fields valid each but not together (a
    period that ends before it begins), a scan of a kind there is none of."""

    def __init__(self, detail: str, *, field: str, message: str) -> None:
        super().__init__(422, detail, slug="validation", errors=[{"field": field,
                                                                  "message": message}])


class Unavailable(Problem):
    """Something this server needs is missing or down; the client may ask again later."""

    def __init__(self, detail: str, *, slug: str, **extra: Any) -> None:
        super().__init__(503, detail, slug=slug, **extra)


def problem(status: int, detail: str, *, slug: str | None = None, title: str | None = None,
            errors: Iterable[Mapping[str, str]] | None = None, **extra: Any) -> dict[str, Any]:
    """A problem document; ``extra`` members go beside the standard ones."""
    title = title or TITLES.get(status, "Error")
    # A slug with a colon is a type of its own (EPCIS's ``epcisException:…``), not one of ours.
    kind = slug if slug and ":" in slug else TYPES + (slug or _slug(title))
    body: dict[str, Any] = {"type": kind, "title": title,
                            "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = [{"field": e["field"], "message": e["message"]} for e in errors]
    body.update({k: jsonable(v) for k, v in extra.items() if k not in STANDARD})
    return body


def problem_for(exc: BaseException) -> tuple[int, dict[str, Any]]:
    """The status and problem document answering an exception."""
    if isinstance(exc, Problem):
        return exc.status, problem(exc.status, exc.detail, slug=exc.slug, errors=exc.errors,
                                   **exc.extra)
    if isinstance(exc, DomainError):
        return _domain(exc)
    if isinstance(exc, ValidationError):
        return validation_problem(exc.errors(include_url=False, include_input=False))
    if isinstance(exc, UNAVAILABLE):
        log.error("database unavailable: %r", exc)
        return 503, problem(503, "the database is not reachable; send it again shortly",
                            slug="store-unavailable")
    log.error("unexpected error", exc_info=exc)
    return 500, problem(500, "something went wrong on our side; nothing was recorded if "
                             "nothing was answered. Send it again, or tell the co-op office")


def validation_problem(errors: Iterable[Mapping[str, Any]]) -> tuple[int, dict[str, Any]]:
    """422 listing each field that failed validation (pydantic's or FastAPI's error list);
    a body that is not JSON at all is 400."""
    errors = list(errors)
    if any(e.get("type") == "json_invalid" for e in errors):
        return 400, problem(400, "the request body is not valid JSON", slug="malformed-json",
                            title="Malformed JSON")
    listed = [{"field": field_name(e.get("loc", ())), "message": _message(e)} for e in errors]
    fields = ", ".join(dict.fromkeys(e["field"] for e in listed))
    return 422, problem(422, f"check these fields: {fields}", slug="validation",
                        title="Invalid request", errors=listed)


def field_name(loc: Iterable[Any]) -> str:
    """``("body", "lines", 0, "sku")`` → ``lines[0].sku``."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        elif not str(part).startswith("function-"):
            name += ("." if name else "") + str(part)
    return name or "body"


def _domain(exc: DomainError) -> tuple[int, dict[str, Any]]:
    if isinstance(exc, NotFound):
        status = 404
    elif isinstance(exc, Conflict):
        status = 409
    else:
        status = 422
    title = re.sub(r"(?<!^)(?=[A-Z])", " ", type(exc).__name__).capitalize()
    if type(exc) in (NotFound, Conflict, Invalid, DomainError):
        title = TITLES[status]
    extra = dict(exc.extra)
    errors = None
    if isinstance(exc, Invalid) and isinstance(extra.get("field"), str):
        errors = [{"field": extra.pop("field"), "message": exc.detail}]
    return status, problem(status, exc.detail, title=title, errors=errors, **extra)


def _message(error: Mapping[str, Any]) -> str:
    message = str(error.get("msg", "is not valid"))
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
