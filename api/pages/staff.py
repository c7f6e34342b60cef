"""``GET /v1/holds`` (admin): the batches on hold now, for the staff screen to release or destroy.

API.md has no list of held batches; this reads the traceability view's batch rows.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import Admin, Views
from projections.tables import loads, moment

router = APIRouter(tags=["cold store"])


@router.get("/v1/holds")
def held_batches(views: Views, _: Admin) -> list[dict[str, Any]]:
    """Every batch on hold, oldest harvest first, with the reasons it was held."""
    rows = views.db.fetch("SELECT batch_code, site_id, farmer_id, sku, harvested_us, holds "
                          "FROM trace_batches WHERE status = ? ORDER BY harvested_us, batch_code",
                          ["on_hold"])
    return [{"batch_code": r["batch_code"], "site_id": r["site_id"], "farmer_id": r["farmer_id"],
             "sku": r["sku"], "harvested_at": moment(r["harvested_us"]),
             "holds": loads(r["holds"]) or []} for r in rows]
