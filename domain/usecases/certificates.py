"""Compliance certificates: one per batch, issued by the dispatch that first ships its packs.

Loads the packing runs of the packs shipped (which batches each pack holds), the batches,
their farmers and products, the cold store and the recall register; saves ``Certificate``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.batch import Batch, UnknownBatch
from domain.certificate import Certificate
from domain.farmer import Farmer
from domain.packing_run import PackingRun
from domain.product import Product
from domain.recall_register import RecallRegister
from domain.usecases.masterdata import load_farmer, load_product, load_site
from domain.usecases.store import Store


def batches_of(store: Store, packs: Iterable[tuple[str, str | None]]) -> dict[str, list[str] | None]:
    """The batches each pack holds, from the packing run that made it (``packs``: code and
    run id); None for a pack of a run recorded before runs kept their draws."""
    packs = list(packs)
    runs = sorted({run for _, run in packs if run is not None})
    store.prefetch(*(UUID(r) for r in runs))
    found: dict[str, PackingRun | None] = {r: store.find(UUID(r)) for r in runs}
    answer: dict[str, list[str] | None] = {}
    for code, run in packs:
        made = found.get(run) if run else None
        answer[code] = made.batches_of(code) if made is not None else None
    return answer


def certify(store: Store, batch_codes: Iterable[str], *, issuer_site_id: str, at: datetime,
            shipment_id: str, register: RecallRegister) -> list[Certificate]:
    """The certificates of the batches that have none yet (a batch is certified once, by the
    first dispatch of its packs). A batch in a recall is refused as recalled (naming the
    recall), one on hold or destroyed as not certifiable: nothing of it may ship uncertified."""
    codes = sorted(set(batch_codes))
    register.check_batches(codes)
    store.prefetch(*(Certificate.create_id(c) for c in codes), *(Batch.create_id(c) for c in codes))
    new = [store.load(Batch, Batch.create_id(c), UnknownBatch(c)) for c in codes
           if store.find(Certificate.create_id(c)) is None]
    if not new:
        return []
    store.prefetch(*{Farmer.create_id(b.farmer_id) for b in new},
                   *{Product.create_id(b.sku) for b in new})
    site = load_site(store, issuer_site_id, "cold_store")
    issued = []
    for batch in new:
        farmer, product = load_farmer(store, batch.farmer_id), load_product(store, batch.sku)
        issued.append(Certificate.issue(
            batch=batch, product=product.spec["name"], village=farmer.village,
            farmer_name=farmer.name, issuer=site.name, contact=None, recalled=register.batches,
            at=at, applications=farmer.applications_to(batch.sku, batch.harvested_at),
            shipment_id=shipment_id))
    return issued


def carried(store: Store, batch_codes: Iterable[str],
            issued: Iterable[Certificate] = ()) -> list[dict[str, Any]]:
    """The certificate of each batch a shipment carries: when it was issued and by which
    dispatch (this one, or an earlier one of the same batch); ``issued``: those just issued."""
    codes = sorted(set(batch_codes))
    new = {c.batch_code: c for c in issued}
    store.prefetch(*(Certificate.create_id(c) for c in codes if c not in new))
    answer = []
    for code in codes:
        found = new.get(code) or store.find(Certificate.create_id(code))
        if found is not None:
            answer.append({"batch_code": code, "issued_at": found.issued_at,
                           "shipment_id": found.shipment_id})
    return answer


def certificate_answer(certificate: Certificate) -> dict[str, Any]:
    return {"batch_code": certificate.batch_code, "sku": certificate.sku,
            "product": certificate.product, "quantity_kg": certificate.quantity_kg,
            "village": certificate.village, "farmer": certificate.farmer,
            "issuer": certificate.issuer, "contact": certificate.contact,
            "issued_at": certificate.issued_at, "keep_until": certificate.keep_until,
            "promises": certificate.promises, "basis": certificate.basis,
            "shipment_id": certificate.shipment_id}
