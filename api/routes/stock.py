"""What the co-op holds: stock levels (operator of the site, admin) and the outlets' catalog."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import Caller, Views
from api.jsonio import Answer, ExactRoute
from contract.fields import Code, Grade
from contract.problems import problems
from contract.reads import CatalogEntryPublic, StockLevelPublic

router = APIRouter(prefix="/v1", tags=["read models"], route_class=ExactRoute)


@router.get("/stock", response_model=list[StockLevelPublic],
            response_description="per site, product and grade",
            responses=problems(401, 403, 422))
def get_stock(views: Views, caller: Caller, site_id: Annotated[Code | None, Query()] = None,
              sku: Annotated[Code | None, Query()] = None,
              grade: Annotated[Grade | None, Query()] = None) -> Answer:
    """Graded kg not yet packed, and where every pack is. An operator sees its own site."""
    if caller.role == "operator":
        site_id = caller.allow("operator", scope=site_id or caller.scope).scope
    else:
        caller.allow()
    return Answer(views.stock.levels(site_id=site_id, sku=sku, grade=grade))


@router.get("/catalog", response_model=list[CatalogEntryPublic],
            response_description="packs an outlet can order",
            responses=problems(401, 403, 422))
def get_catalog(views: Views, caller: Caller,
                site_id: Annotated[Code | None, Query(examples=["yongan"])] = None) -> Answer:
    """Unreserved packs within shelf life, per product, grade and weight; a cold store's id
    lists its packs only."""
    caller.allow("outlet", "operator")
    return Answer(views.stock.catalog(site_id=site_id))
