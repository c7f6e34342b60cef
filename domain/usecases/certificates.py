"""Compliance certificates: one per batch, issued when its graded kg is first packed for sale.

Loads the batches, their farmers and products, the cold store and the recall register;
saves ``Certificate``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.certificate import Certificate
from domain.farmer import Farmer
from domain.product import Product
from domain.usecases.blocking import register_of
from domain.usecases.masterdata import load_farmer, load_product, load_site
from domain.usecases.store import Store


def certify(store: Store, batches: list[Any], *, issuer_site_id: str,
            at: datetime) -> list[Certificate]:
    """The certificates of the batches that have none yet (a batch is certified once)."""
    new = [b for b in batches if store.find(Certificate.create_id(b.batch_code)) is None]
    if not new:
        return []
    store.prefetch(*{Farmer.create_id(b.farmer_id) for b in new},
                   *{Product.create_id(b.sku) for b in new})
    site = load_site(store, issuer_site_id, "cold_store")
    recalled = register_of(store).batches
    issued = []
    for batch in new:
        farmer, product = load_farmer(store, batch.farmer_id), load_product(store, batch.sku)
        issued.append(Certificate.issue(
            batch=batch, product=product.spec["name"], village=farmer.village,
            farmer_name=farmer.name, issuer=site.name, contact=None, recalled=recalled, at=at,
            applications=farmer.applications_to(batch.sku, batch.harvested_at)))
    return issued


def certificate_answer(certificate: Certificate) -> dict[str, Any]:
    return {"batch_code": certificate.batch_code, "sku": certificate.sku,
            "product": certificate.product, "quantity_kg": certificate.quantity_kg,
            "village": certificate.village, "farmer": certificate.farmer,
            "issuer": certificate.issuer, "contact": certificate.contact,
            "issued_at": certificate.issued_at, "keep_until": certificate.keep_until,
            "promises": certificate.promises, "basis": certificate.basis}

