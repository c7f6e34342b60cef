"""Farm inputs: shop sales (cash or credit), the farmer's spray diary, and payments to farmers.

Loads the shop, the farmer and the products named; saves ``InputSale`` and ``Farmer``, and the
shop's ``InputStock`` a sale draws from once the shop keeps stock (``domain.input_stock``).
A sale or a payment recorded wrong is corrected (``domain.corrections``): the books post the
reversal (红字) of its voucher and the voucher anew."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from domain.errors import NotFound
from domain.input_sale import InputSale
from domain.input_stock import InputStock
from domain.usecases.store import Store, command, load_farmer, load_product, load_site
from domain.values import command_id, id_for


@command
def record_input_sale(store: Store, *, shop_id: str, farmer_id: str, sold_at: datetime, payment: str,
                      lines: list[dict[str, Any]], key: str | None = None) -> dict[str, Any]:
    load_site(store, shop_id, "input_shop")
    load_farmer(store, farmer_id)
    for line in lines:
        load_product(store, line["sku"], "input")
    sale = InputSale.record(sale_id=command_id("input_sale", key), shop_id=shop_id,
                            farmer_id=farmer_id, sold_at=sold_at, payment=payment, lines=lines)
    earlier = store.find(sale.id)
    if earlier is not None:
        earlier.check_same(sale)
        sale = earlier
    else:
        stock = store.find(InputStock.create_id(shop_id))
        if stock is None:  # an unmanaged shop: no purchase recorded yet, the sale draws nothing
            store.save(sale)
        else:
            stock.draw(sale_id=str(sale.id), sold_at=sold_at, lines=lines)
            store.save(sale, stock)
    return {"sale_id": str(sale.id), "total_fen": sale.total_fen}


@command
def record_input_application(store: Store, *, farmer_id: str, sku: str, lot: str,
                             applied_at: datetime, crop_sku: str) -> dict[str, Any]:
    """A spray-diary line; its id is its content, so sending it twice records it once."""
    farmer = load_farmer(store, farmer_id)
    product = load_product(store, sku, "input")
    load_product(store, crop_sku, "produce")
    application_id = str(id_for("application",
                                f"{farmer_id}/{sku}/{lot}/{applied_at.isoformat()}/{crop_sku}"))
    farmer.apply_input(application_id=application_id, sku=sku, lot=lot, applied_at=applied_at,
                       crop_sku=crop_sku, active_ingredient=product.spec["active_ingredient"],
                       phi_days=product.spec["phi_days"])
    store.save(farmer)
    return {"application_id": application_id}


@command
def pay_farmer(store: Store, *, farmer_id: str, amount_fen: int, paid_at: datetime, method: str,
               reference: str) -> dict[str, Any]:
    farmer = load_farmer(store, farmer_id)
    farmer.pay(amount_fen=amount_fen, paid_at=paid_at, method=method, reference=reference)
    store.save(farmer)
    return {"farmer_id": farmer_id, "amount_fen": amount_fen, "reference": reference}


@command
def correct_input_sale(store: Store, *, sale_id: str, shop_id: str, lines: list[dict[str, Any]],
                       reason: str, corrected_at: datetime,
                       key: str | None = None) -> dict[str, Any]:
    """A sale's quantities or unit prices corrected, one per line in order; the lots it drew
    from give back what it drew and draw the corrected quantities (more than the shop holds is
    refused). The same correction id again records nothing."""
    try:
        sale = store.find(UUID(sale_id))
    except ValueError:
        sale = None
    if not isinstance(sale, InputSale) or sale.shop_id != shop_id:
        raise NotFound(f"no input sale {sale_id} at {shop_id}", sale_id=sale_id)
    correction_id = str(command_id("input_sale_correction", key))
    if sale.correct(correction_id=correction_id, lines=lines, reason=reason,
                    corrected_at=corrected_at):
        stock = store.find(InputStock.create_id(shop_id))
        drew = None if stock is None else InputStock.drew(
            sale_id, store.events.get(stock.id, lte=stock.version, desc=True))
        if stock is None or drew is None:  # it drew nothing: the shop kept no stock then
            store.save(sale)
        else:
            stock.correct_sale(sale_id=sale_id, correction_id=correction_id,
                               corrected_at=corrected_at, drew=drew, lines=sale.lines)
            store.save(sale, stock)
    return {"sale_id": sale_id, "shop_id": shop_id, "total_fen": sale.total_fen,
            "lines": [{"sku": line["sku"], "lot": line["lot"], "quantity": line["quantity"],
                       "unit_price_fen": line["unit_price_fen"], "line_fen": line["line_fen"]}
                      for line in sale.lines]}


@command
def correct_payment(store: Store, *, farmer_id: str, reference: str, amount_fen: int,
                    method: str, reason: str, corrected_at: datetime,
                    key: str | None = None) -> dict[str, Any]:
    """A payment to a farmer recorded wrong, corrected: the books reverse it and post it anew."""
    farmer = load_farmer(store, farmer_id)
    farmer.correct_payment(correction_id=str(command_id("payment_correction", key)),
                           reference=reference, amount_fen=amount_fen, method=method,
                           reason=reason, corrected_at=corrected_at)
    store.save(farmer)
    paid = farmer.payments[reference]
    return {"farmer_id": farmer_id, "reference": reference, "amount_fen": paid["amount_fen"],
            "method": paid["method"]}
