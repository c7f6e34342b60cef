"""Input supply at cost: purchases from suppliers (进货) and transfers between the input
company's warehouse and the shops. Sales draw from the shop's stock in ``inputs``.

Loads the sites and products named; saves ``InputStock`` (both sites' for a transfer)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.input_stock import HOLDS_INPUTS, InputStock, UnknownPurchase
from domain.site import Site, WrongSiteKind
from domain.usecases.masterdata import load_product, load_site
from domain.usecases.store import Store, command
from domain.values import command_id


@command
def record_purchase(store: Store, *, site_id: str, supplier: str, invoice_no: str, payment: str,
                    received_at: datetime, lines: list[dict[str, Any]],
                    key: str | None = None) -> dict[str, Any]:
    """A shop or the warehouse receives inputs from a supplier, paid in cash or owed (应付)."""
    load_input_site(store, site_id, "site_id")
    for line in lines:
        load_product(store, line["sku"], "input")
    purchase_id = str(command_id("input_purchase", key))
    stock = store.load_or_open(InputStock, site_id=site_id)
    said = stock.receive(purchase_id=purchase_id, supplier=supplier, invoice_no=invoice_no,
                         payment=payment, received_at=received_at, lines=lines)
    store.save(stock)
    return {"purchase_id": purchase_id, "site_id": site_id,
            "total_fen": sum(line["cost_fen"] for line in said["lines"])}


@command
def correct_purchase(store: Store, *, site_id: str, purchase_id: str, payment: str,
                     unit_costs_fen: list[int], corrected_at: datetime) -> dict[str, Any]:
    """Correct a purchase's payment or unit costs (a reversing voucher and a new one follow)."""
    load_input_site(store, site_id, "site_id")
    stock = store.find(InputStock.create_id(site_id))
    if stock is None:
        raise UnknownPurchase(f"no purchase {purchase_id} at {site_id}", purchase_id=purchase_id)
    now = stock.correct_purchase(purchase_id=purchase_id, payment=payment,
                                 unit_costs_fen=unit_costs_fen, corrected_at=corrected_at)
    store.save(stock)
    return {"purchase_id": purchase_id, "site_id": site_id, "payment": now["payment"],
            "total_fen": sum(line["cost_fen"] for line in now["lines"])}


@command
def transfer_inputs(store: Store, *, from_site_id: str, to_site_id: str, sent_at: datetime,
                    lines: list[dict[str, Any]], key: str | None = None) -> dict[str, Any]:
    """Lots move from one site to another at the cost they carry; both stocks change together."""
    load_input_site(store, from_site_id, "from_site_id")
    load_input_site(store, to_site_id, "to_site_id")
    for line in lines:
        load_product(store, line["sku"], "input")
    transfer_id = str(command_id("input_transfer", key))
    source = store.load_or_open(InputStock, site_id=from_site_id)
    already = transfer_id in source.transfers
    costed = source.send(transfer_id=transfer_id, to_site_id=to_site_id, sent_at=sent_at,
                         lines=lines)
    if not already:
        target = store.load_or_open(InputStock, site_id=to_site_id)
        target.take(transfer_id=transfer_id, from_site_id=from_site_id, received_at=sent_at,
                    lines=costed)
        store.save(source, target)
    return {"transfer_id": transfer_id, "from_site_id": from_site_id, "to_site_id": to_site_id,
            "cost_fen": sum(line["cost_fen"] for line in costed)}


def load_input_site(store: Store, site_id: str, field: str) -> Site:
    site = load_site(store, site_id)
    if site.kind not in HOLDS_INPUTS:
        raise WrongSiteKind(f"site {site_id} is a {site.kind}; inputs are held at an input_shop "
                            "or a warehouse", field=field)
    return site
