"""``GET /v1/holds`` (admin): the batches on hold now, for the staff screen to release or destroy.

API.md has no list of held batches; the traceability view answers it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import Admin, Views

router = APIRouter(tags=["cold store"])


@router.get("/v1/holds")
def held_batches(views: Views, _: Admin) -> list[dict[str, Any]]:
    """Every batch on hold, oldest harvest first, with the reasons it was held."""
    return views.trace.held()
