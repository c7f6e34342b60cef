"""Master data kept by co-op staff: farmers, sites, products and purchase prices.

Loads and saves ``Farmer``, ``Site``, ``Product`` and the ``Catalogue``; every use case loads
master data through the store's ``load_*`` functions (``domain.usecases.store``), named here
too for the modules that still import them from here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.catalogue import Catalogue
from domain.farmer import Farmer
from domain.product import Product
from domain.site import Site
from domain.usecases.store import Store, command, load_catalogue, load_farmer, load_product, load_site

__all__ = ["load_catalogue", "load_farmer", "load_product", "load_site", "register_farmer",
           "register_product", "register_site", "set_price"]


@command
def register_farmer(store: Store, *, farmer_id: str, name: str, village: str,
                    phone: str | None = None) -> dict[str, Any]:
    """Register a farmer, or correct their details: PUT semantics, safe to repeat."""
    farmer = store.find(Farmer.create_id(farmer_id))
    if farmer is None:
        farmer = Farmer(farmer_id=farmer_id, name=name, village=village, phone=phone)
    else:
        farmer.correct_details(name=name, village=village, phone=phone)
    store.save(farmer)
    return {"farmer_id": farmer_id, "name": farmer.name, "village": farmer.village,
            "phone": farmer.phone}


@command
def register_site(store: Store, *, site_id: str, name: str, kind: str,
                  timezone: str | None = None) -> dict[str, Any]:
    site = store.find(Site.create_id(site_id))
    if site is None:
        site = Site.register(site_id=site_id, name=name, kind=kind, timezone=timezone)
    else:
        site.correct_details(name=name, kind=kind, timezone=timezone)
    store.save(site)
    return {"site_id": site_id, "name": site.name, "kind": site.kind, "timezone": site.timezone}


@command
def register_product(store: Store, *, sku: str, **spec: Any) -> dict[str, Any]:
    product = store.find(Product.create_id(sku))
    if product is None:
        product = Product.register(sku=sku, **spec)
    else:
        product.correct_details(**spec)
    catalogue = store.load_or_open(Catalogue)
    catalogue.list_product(sku=sku, kind=product.kind)
    store.save(product, catalogue)
    return {"sku": sku, **product.spec}


@command
def set_price(store: Store, *, sku: str, effective_from: datetime,
              grades: dict[str, int]) -> dict[str, Any]:
    product = load_product(store, sku)
    product.set_price(effective_from=effective_from, grades=grades)
    store.save(product)
    return {"sku": sku, "effective_from": effective_from, "grades": grades}
