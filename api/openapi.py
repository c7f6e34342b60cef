"""The OpenAPI description served at ``/openapi.json`` and ``/docs``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.limits import UNCOUNTED
from contract.problems import WHY
from infra.problems import MEDIA_TYPE


def describe(api: FastAPI) -> None:
    """Gongxiao (供销): the district co-op's platform, village to storefront.

    Every step is an event that is never changed: intake scans at the cold store, grading,
    packing, outlet orders, shipments, deliveries and retail sales, so every pack traces back
    to its farmer, the inputs applied and the cold chain, and every farmer sees what they earned.

    * **Auth**: `Authorization: Bearer <token>` from `gongxiao token create --role ROLE
      [--scope ID]`; 401 without a token or with an unknown, expired or revoked one, 403
      outside the token's role or scope. The trace and one pack's label are public; a
      packing run's label sheet is its cold store's. Operators list every outlet's orders
      (`GET /v1/orders`, without pack codes) to plan their picking; an order's pick list is
      for the cold stores its packs are at.
    * **Errors** are `application/problem+json` (RFC 9457) with `errors: [{field, message}]`
      for invalid fields.
    * **Idempotency-Key** on every POST: the same key and body again answers the first answer
      and records nothing; another body with the same key is 409.
    * Times RFC 3339 with an offset; money integer `_fen`; weights `_kg` with at most 3 decimals.

    The examples are from `gongxiao demo`: the Yong'an village cold store (`yongan`) in
    Tangchang, farmers such as `f-zhang`, yellow chives (`jiuhuang`) and celtuce (`woshun`).
    """

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            schema = get_openapi(title=api.title, version=api.version,
                                 description=api.description, routes=api.routes)
            for path, item in schema.get("paths", {}).items():
                for operation in item.values():
                    _common_refusals(path, operation)
                    _problem_media_type(operation.get("responses", {}))
            for unused in ("HTTPValidationError", "ValidationError"):
                schema.get("components", {}).get("schemas", {}).pop(unused, None)
            api.openapi_schema = schema
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]


def _common_refusals(path: str, operation: dict[str, Any]) -> None:
    """The refusals no route declares because they happen before it or beside it: a token
    refused, a query holding a control character, an unreadable or too large body, a reused Idempotency-Key,
    an address that names nothing, the rate limit, the store being down. FastAPI's own 422
    shape is never answered: every 422 is problem+json."""
    responses = operation.setdefault("responses", {})
    if "HTTPValidationError" in str(responses.get("422")):
        del responses["422"]
    codes = [422, 503] if path in UNCOUNTED else [422, 429, 503]
    if operation.get("security"):
        codes += [401, 403]
    if "requestBody" in operation:
        codes += [400, 413]
    parameters = operation.get("parameters", [])
    if any(p.get("name") == "Idempotency-Key" for p in parameters):
        codes.append(409)
    if any(p.get("in") == "path" for p in parameters):
        codes.append(404)
    for code in codes:
        responses.setdefault(str(code), {"description": WHY[code], "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ProblemPublic"}}}})


def _problem_media_type(responses: dict[str, Any]) -> None:
    for status, response in responses.items():
        content = response.get("content", {})
        if status.isdigit() and int(status) >= 400 and "application/json" in content:
            content[MEDIA_TYPE] = content.pop("application/json")
        if status == "304":
            response.pop("content", None)
