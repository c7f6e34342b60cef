"""The OpenAPI description served at ``/openapi.json`` and ``/docs``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from infra.problems import MEDIA_TYPE


def describe(api: FastAPI) -> None:
    """Gongxiao (供销): the district co-op's platform, village to storefront.

    Every step is an event that is never changed: intake scans at the cold store, grading,
    packing, outlet orders, shipments, deliveries and retail sales, so every pack traces back
    to its farmer, the inputs applied and the cold chain, and every farmer sees what they earned.

    * **Auth**: `Authorization: Bearer <token>` from `gongxiao token create --role ROLE
      [--scope ID]`; 401 without a token or with an unknown, expired or revoked one, 403
      outside the token's role or scope. The trace and one pack's label are public; a
      packing run's label sheet is its cold store's.
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
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    _problem_media_type(operation.get("responses", {}))
            api.openapi_schema = schema
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]


def _problem_media_type(responses: dict[str, Any]) -> None:
    for status, response in responses.items():
        content = response.get("content", {})
        if status.isdigit() and int(status) >= 400 and "application/json" in content:
            content[MEDIA_TYPE] = content.pop("application/json")
        if status == "304":
            response.pop("content", None)
