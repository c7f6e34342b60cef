"""The farm inputs one shop or the input company's warehouse holds, per product and lot, at cost.

Inputs come in by a purchase (进货) from a supplier or a transfer from another site, and go out
by a transfer or a sale. Each lot keeps its quantity and what it cost (``value_fen``); drawing
part of a lot takes its share of the lot's cost, drawing the rest takes what is left, so no fen
is lost or made up. A sale that asks for more of a lot than the shop holds is refused.

A shop whose ``InputStock`` was never opened (it recorded no purchase and received no transfer:
every sale of round 1) is *unmanaged*: its sales draw from nothing and carry no cost. Its first
purchase or transfer opens its stock, and from then on every sale draws from it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, IdempotencyConflict, Invalid, NotFound
from domain.topics import stable_topics
from domain.values import fen_for, id_for, kg

HOLDS_INPUTS = ("input_shop", "warehouse")
PAYMENTS = ("cash", "payable")


@stable_topics("InputStock")
class InputStock(Aggregate):
    @event("Opened")
    def __init__(self, site_id: str) -> None:
        self.site_id = site_id
        self.lots: dict[str, dict[str, Any]] = {}  # lot_key(sku, lot) → quantity, value_fen
        self.purchases: dict[str, dict[str, Any]] = {}  # purchase id → what it said
        self.invoices: dict[str, str] = {}  # invoice_key(supplier, no) → purchase id
        self.transfers: dict[str, dict[str, Any]] = {}  # transfer id (sent) → what it said
        self.corrected: dict[str, dict[str, Any]] = {}  # purchase id → payment, lines now

    @staticmethod
    def create_id(site_id: str) -> UUID:
        return id_for("input_stock", site_id)

    def held(self, sku: str, lot: str) -> Decimal:
        return Decimal(self.lots.get(lot_key(sku, lot), {}).get("quantity", 0))

    def receive(self, *, purchase_id: str, supplier: str, invoice_no: str, payment: str,
                received_at: datetime, lines: list[dict[str, Any]]) -> dict[str, Any]:
        """A purchase from a supplier; the same purchase id again records nothing (a different
        one is refused), and one supplier's invoice is recorded once per site."""
        if payment not in PAYMENTS:
            raise Invalid("payment must be cash or payable", field="payment")
        priced = purchase_lines(lines)
        said = {"supplier": supplier, "invoice_no": invoice_no, "payment": payment,
                "received_at": received_at, "lines": priced}
        earlier = self.purchases.get(purchase_id)
        if earlier is not None:
            if earlier != said:
                raise IdempotencyConflict("this idempotency key was used for a different purchase")
            return earlier
        if invoice_key(supplier, invoice_no) in self.invoices:
            raise DuplicateInvoice(f"invoice {invoice_no} of {supplier} is already recorded at "
                                   f"{self.site_id}", invoice_no=invoice_no, supplier=supplier)
        self._purchased(purchase_id=purchase_id, supplier=supplier, invoice_no=invoice_no,
                        payment=payment, received_at=received_at, lines=priced,
                        total_fen=sum(p["cost_fen"] for p in priced))
        return said

    @event("Purchased")
    def _purchased(self, purchase_id: str, supplier: str, invoice_no: str, payment: str,
                   received_at: datetime, lines: list[dict[str, Any]], total_fen: int) -> None:
        self.purchases[purchase_id] = {"supplier": supplier, "invoice_no": invoice_no,
                                       "payment": payment, "received_at": received_at,
                                       "lines": lines}
        self.invoices[invoice_key(supplier, invoice_no)] = purchase_id
        for line in lines:
            self._add(line["sku"], line["lot"], line["quantity"], line["cost_fen"])

    def correct_purchase(self, *, purchase_id: str, payment: str, unit_costs_fen: list[int],
                         corrected_at: datetime) -> dict[str, Any]:
        """A purchase recorded with a wrong payment or unit cost is corrected, never edited: the
        correction records what it was and what it is, and the lots' cost moves by the
        difference (the books post a reversing voucher and a new one). Quantities are not
        corrected here: inputs returned to a supplier are another business."""
        was = self.corrected.get(purchase_id) or self.purchases.get(purchase_id)
        if was is None:
            raise UnknownPurchase(f"no purchase {purchase_id} at {self.site_id}",
                                  purchase_id=purchase_id)
        if payment not in PAYMENTS:
            raise Invalid("payment must be cash or payable", field="payment")
        if len(unit_costs_fen) != len(was["lines"]):
            raise Invalid(f"the purchase has {len(was['lines'])} lines; give a unit cost for each",
                          field="unit_costs_fen")
        lines = purchase_lines([dict(line, unit_cost_fen=cost)
                                for line, cost in zip(was["lines"], unit_costs_fen, strict=True)])
        if (payment, lines) == (was["payment"], was["lines"]):
            return was
        left = {key: dict(held) for key, held in self.lots.items()}
        for old, new in zip(was["lines"], lines, strict=True):
            held = left[lot_key(new["sku"], new["lot"])]
            held["value_fen"] += new["cost_fen"] - old["cost_fen"]
            if held["value_fen"] < 0:
                raise Conflict(f"lot {new['lot']} holds {held['quantity']} worth less than the "
                               "cost taken off; too much of it was sold to lower its cost now",
                               lot=new["lot"])
        self._purchase_corrected(
            purchase_id=purchase_id, supplier=was["supplier"], corrected_at=corrected_at,
            was={"payment": was["payment"], "lines": was["lines"],
                 "total_fen": sum(line["cost_fen"] for line in was["lines"])},
            now={"payment": payment, "lines": lines,
                 "total_fen": sum(line["cost_fen"] for line in lines)})
        return self.corrected[purchase_id]

    @event("PurchaseCorrected")
    def _purchase_corrected(self, purchase_id: str, supplier: str, corrected_at: datetime,
                            was: dict[str, Any], now: dict[str, Any]) -> None:
        self.corrected[purchase_id] = {"supplier": supplier, "payment": now["payment"],
                                       "lines": now["lines"]}
        for old, new in zip(was["lines"], now["lines"], strict=True):
            self._add(new["sku"], new["lot"], Decimal(0), new["cost_fen"] - old["cost_fen"])

    def send(self, *, transfer_id: str, to_site_id: str, sent_at: datetime,
             lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send lots to another site; answers the lines with the cost each took along (the
        receiving site's ``take``). The same transfer id again sends nothing."""
        if to_site_id == self.site_id:
            raise Invalid("a transfer goes to another site", field="to_site_id")
        wanted = draw_lines(lines)
        earlier = self.transfers.get(transfer_id)
        if earlier is not None:
            if (earlier["to_site_id"], earlier["sent_at"], _said(earlier["lines"])) != (
                    to_site_id, sent_at, _said(wanted)):
                raise IdempotencyConflict("this idempotency key was used for a different transfer")
            return list(earlier["lines"])
        costed = self._costed(wanted)
        self._transferred_out(transfer_id=transfer_id, to_site_id=to_site_id, sent_at=sent_at,
                              lines=costed)
        return costed

    @event("TransferredOut")
    def _transferred_out(self, transfer_id: str, to_site_id: str, sent_at: datetime,
                         lines: list[dict[str, Any]]) -> None:
        self.transfers[transfer_id] = {"to_site_id": to_site_id, "sent_at": sent_at,
                                       "lines": lines}
        for line in lines:
            self._add(line["sku"], line["lot"], -line["quantity"], -line["cost_fen"])

    def take(self, *, transfer_id: str, from_site_id: str, received_at: datetime,
             lines: list[dict[str, Any]]) -> None:
        """Take in what another site sent, at the cost it took along."""
        self._transferred_in(transfer_id=transfer_id, from_site_id=from_site_id,
                             received_at=received_at, lines=lines)

    @event("TransferredIn")
    def _transferred_in(self, transfer_id: str, from_site_id: str, received_at: datetime,
                        lines: list[dict[str, Any]]) -> None:
        for line in lines:
            self._add(line["sku"], line["lot"], line["quantity"], line["cost_fen"])

    def draw(self, *, sale_id: str, sold_at: datetime, lines: list[dict[str, Any]]) -> None:
        """A sale's lines leave the lots they name, each at its share of the lot's cost (cost
        of goods sold by lot); more than the shop holds of a lot is refused."""
        self._sold(sale_id=sale_id, sold_at=sold_at, lines=self._costed(draw_lines(lines)))

    @event("Sold")
    def _sold(self, sale_id: str, sold_at: datetime, lines: list[dict[str, Any]]) -> None:
        for line in lines:
            self._add(line["sku"], line["lot"], -line["quantity"], -line["cost_fen"])

    @staticmethod
    def drew(sale_id: str, events: Iterable[Any]) -> list[dict[str, Any]] | None:
        """What a sale drew, at cost, as it stands now, from the stock's events newest first
        (its corrections, then its ``Sold``); None if it drew nothing here. The stock keeps no
        record of its sales (that would grow with every sale): a correction, which is rare,
        reads them back."""
        corrections: list[Any] = []
        for said in events:
            if getattr(said, "sale_id", None) != sale_id:
                continue
            if type(said).__name__ == "SaleCorrected":
                corrections.append(said)
            elif type(said).__name__ == "Sold":
                drawn = [dict(line) for line in said.lines]
                for corrected in reversed(corrections):
                    for new in corrected.now:
                        drawn[new["line"]] = {k: v for k, v in new.items() if k != "line"}
                return drawn
        return None

    def correct_sale(self, *, sale_id: str, correction_id: str, corrected_at: datetime,
                     drew: list[dict[str, Any]], lines: list[dict[str, Any]]) -> None:
        """A sale's quantities corrected: each line whose quantity changed gives back what it
        drew (quantity and cost) and draws the corrected quantity anew at its share of the
        lot's cost; a line whose quantity stands keeps its cost. Drawing more than the shop
        holds with what was given back is refused, as a sale is."""
        now = draw_lines(lines)
        if len(now) != len(drew):
            raise Invalid(f"the sale drew {len(drew)} lines; correct each of them in order",
                          field="lines")
        changed = [i for i, (old, new) in enumerate(zip(drew, now, strict=True))
                   if Decimal(old["quantity"]) != new["quantity"]]
        if not changed:
            return
        left = {key: dict(held) for key, held in self.lots.items()}
        for i in changed:
            held = left.setdefault(lot_key(drew[i]["sku"], drew[i]["lot"]),
                                   {"quantity": Decimal(0), "value_fen": 0})
            held["quantity"] += Decimal(drew[i]["quantity"])
            held["value_fen"] += drew[i]["cost_fen"]
        costed = self._costed([now[i] for i in changed], left, changed)
        self._sale_corrected(sale_id=sale_id, correction_id=correction_id,
                             corrected_at=corrected_at,
                             was=[dict(drew[i], line=i) for i in changed],
                             now=[dict(line, line=i) for i, line in zip(changed, costed, strict=True)])

    @event("SaleCorrected")
    def _sale_corrected(self, sale_id: str, correction_id: str, corrected_at: datetime,
                        was: list[dict[str, Any]], now: list[dict[str, Any]]) -> None:
        """``was`` and ``now``: the lines whose quantity changed (``line``: their index), as
        drawn before at cost and as drawn now."""
        for old, new in zip(was, now, strict=True):
            self._add(old["sku"], old["lot"], Decimal(old["quantity"]), old["cost_fen"])
            self._add(new["sku"], new["lot"], -new["quantity"], -new["cost_fen"])

    def _costed(self, lines: list[dict[str, Any]], left: dict[str, dict[str, Any]] | None = None,
                indexes: list[int] | None = None) -> list[dict[str, Any]]:
        """The lines with the cost each takes, lot by lot in order; refused as a whole if any
        lot has less than all the lines ask of it (``left``: what the lots hold, if not what
        they hold now; ``indexes``: the lines' places in the command, for the field named)."""
        if left is None:
            left = {key: dict(held) for key, held in self.lots.items()}
        costed = []
        for n, line in enumerate(lines):
            index = n if indexes is None else indexes[n]
            key = lot_key(line["sku"], line["lot"])
            held = left.get(key, {"quantity": Decimal(0), "value_fen": 0})
            if line["quantity"] > held["quantity"]:
                raise NotInStock(
                    f"{self.site_id} holds {held['quantity']} of {line['sku']} lot {line['lot']}, "
                    f"less than {line['quantity']}", site_id=self.site_id, sku=line["sku"],
                    lot=line["lot"], held=held["quantity"], field=f"lines[{index}].quantity")
            cost = cost_share(held["value_fen"], line["quantity"], held["quantity"])
            held["quantity"] -= line["quantity"]
            held["value_fen"] -= cost
            left[key] = held
            costed.append(dict(line, cost_fen=cost))
        return costed

    def _add(self, sku: str, lot: str, quantity: Decimal, value_fen: int) -> None:
        held = self.lots.get(lot_key(sku, lot), {"quantity": Decimal(0), "value_fen": 0})
        self.lots[lot_key(sku, lot)] = {"quantity": held["quantity"] + quantity,
                                 "value_fen": held["value_fen"] + value_fen}


def lot_key(sku: str, lot: str) -> str:
    """A lot's key in the stock's state (a product code has no "/"; string keys keep the state
    a plain JSON object for snapshots)."""
    return f"{sku}/{lot}"


def invoice_key(supplier: str, invoice_no: str) -> str:
    return json.dumps([supplier, invoice_no], ensure_ascii=False)


def cost_share(value_fen: int, quantity: Decimal, of: Decimal) -> int:
    """The cost of ``quantity`` of a lot holding ``of`` worth ``value_fen``: its share rounded
    half up to the fen; all of the lot takes all of its value."""
    if quantity == of:
        return value_fen
    return int((value_fen * quantity / of).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def purchase_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not lines:
        raise Invalid("a purchase needs at least one line", field="lines")
    priced = []
    for index, line in enumerate(lines):
        field = f"lines[{index}]"
        quantity = _quantity(line, field)
        cost = line["unit_cost_fen"]
        if isinstance(cost, bool) or not isinstance(cost, int) or cost < 0:
            raise Invalid("unit_cost_fen must be a whole number of fen",
                          field=f"{field}.unit_cost_fen")
        priced.append({"sku": line["sku"], "lot": _lot(line, field), "quantity": quantity,
                       "unit_cost_fen": cost, "cost_fen": fen_for(quantity, cost)})
    return priced


def draw_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not lines:
        raise Invalid("at least one line is needed", field="lines")
    return [{"sku": line["sku"], "lot": _lot(line, f"lines[{i}]"),
             "quantity": _quantity(line, f"lines[{i}]")} for i, line in enumerate(lines)]


def _quantity(line: dict[str, Any], field: str) -> Decimal:
    quantity = kg(line["quantity"], field=f"{field}.quantity")
    if quantity <= 0:
        raise Invalid("quantity must be positive", field=f"{field}.quantity")
    return quantity


def _lot(line: dict[str, Any], field: str) -> str:
    if not line.get("lot"):
        raise Invalid("every input line names its lot, for recalls", field=f"{field}.lot")
    return str(line["lot"])


def _said(lines: list[dict[str, Any]]) -> list[tuple[str, str, Decimal]]:
    return [(line["sku"], line["lot"], line["quantity"]) for line in lines]


class NotInStock(Conflict):
    pass


class DuplicateInvoice(Conflict):
    pass


class UnknownPurchase(NotFound):
    pass
