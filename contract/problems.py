"""The problem+json document every refusal answers, for the OpenAPI description (``main``
moves these answers to ``application/problem+json``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

WHY = {400: "malformed JSON", 401: "no token, or an unknown one",
       403: "outside the token's role or scope",
       404: "an unknown id, or an address holding a control character",
       409: "clashes with what already happened (stock, holds, a reused Idempotency-Key)",
       413: "request body too large", 422: "invalid fields, or a rule of the domain broken",
       429: "too many requests; see Retry-After",
       503: "the event store is not reachable; send it again shortly"}


class FieldError(BaseModel):
    field: str
    message: str


class ProblemPublic(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the refusals an endpoint may answer."""
    return {code: {"description": WHY[code], "model": ProblemPublic} for code in codes}


def answers(status: int, model: Any, description: str,
            *codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses``: the answer on success and the refusals."""
    success: dict[str, Any] = {"description": description}
    if model is not None:
        success["model"] = model
    return {status: success, **problems(*codes)}
