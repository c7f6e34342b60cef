"""``GET /v1/holds`` (admin): the batches on hold now, for the staff screen to release or destroy.

API.md has no list of held batches; the traceability view answers it, with the farmer's and the
product's names beside their ids, since the staff screen shows names.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import Admin, App, Views

router = APIRouter(tags=["cold store"])


@router.get("/v1/holds")
def held_batches(app: App, views: Views, _: Admin) -> list[dict[str, Any]]:
    """Every batch on hold, oldest harvest first, with the reasons it was held."""
    held = views.trace.held()
    farmers = {f: app.farmer(f).name for f in {b["farmer_id"] for b in held}}
    products = {s: app.product(s).spec["name"] for s in {b["sku"] for b in held}}
    return [{**b, "farmer_name": farmers[b["farmer_id"]], "product_name": products[b["sku"]]}
            for b in held]
