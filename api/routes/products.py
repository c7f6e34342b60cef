"""Products and their purchase prices (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import Admin, App, Caller, Views
from api.jsonio import Answer, ExactRoute
from contract.masterdata import PriceCreate, PricePublic, ProductCreate, ProductListed, ProductPublic
from contract.problems import problems

router = APIRouter(prefix="/v1", tags=["master data"], route_class=ExactRoute)
Sku = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", examples=["jiuhuang"])]


@router.get("/products", response_model=list[ProductListed],
            response_description="every registered product: produce first, then inputs",
            responses=problems(401, 403))
def list_products(views: Views, caller: Caller) -> Answer:
    """For screens that name products: the station picks one by name, shows 吡虫啉 for bichonglin."""
    caller.allow("operator", "outlet", "shop")
    return Answer(views.trace.products())


@router.put("/products/{sku}", response_model=ProductPublic,
            response_description="the product as registered", responses=problems(401, 403, 422))
def put_product(sku: Sku, body: ProductCreate, app: App, _: Admin) -> Answer:
    """Register a product, or correct it (a product never changes kind)."""
    return Answer(app.register_product(sku=sku, **body.model_dump()))


@router.put("/prices/{sku}", response_model=PricePublic,
            response_description="the price set",
            responses=problems(401, 403, 404, 422))
def put_price(sku: Sku, body: PriceCreate, app: App, _: Admin) -> Answer:
    """Set a purchase price from a date; earlier prices stay for history."""
    return Answer(app.set_price(sku=sku, **body.model_dump()))
