"""Farm inputs: shop sales (cash or credit), the farmer's spray diary, and payments to farmers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.input_sale import InputSale
from domain.usecases.base import command
from domain.usecases.masterdata import MasterData
from domain.values import command_id, id_for


class Inputs(MasterData):
    @command
    def record_input_sale(self, *, shop_id: str, farmer_id: str, sold_at: datetime, payment: str,
                          lines: list[dict[str, Any]], key: str | None = None) -> dict[str, Any]:
        self.site(shop_id, "input_shop")
        self.farmer(farmer_id)
        for line in lines:
            self.product(line["sku"], "input")
        sale = InputSale.record(sale_id=command_id("input_sale", key), shop_id=shop_id,
                                farmer_id=farmer_id, sold_at=sold_at, payment=payment, lines=lines)
        earlier = self.find(sale.id)
        if earlier is not None:
            earlier.check_same(sale)
            sale = earlier
        else:
            self.save(sale)
        return {"sale_id": str(sale.id), "total_fen": sale.total_fen}

    @command
    def record_input_application(self, *, farmer_id: str, sku: str, lot: str,
                                 applied_at: datetime, crop_sku: str) -> dict[str, Any]:
        """A spray-diary line; its id is its content, so sending it twice records it once."""
        farmer = self.farmer(farmer_id)
        product = self.product(sku, "input")
        self.product(crop_sku, "produce")
        application_id = str(id_for("application",
                                    f"{farmer_id}/{sku}/{lot}/{applied_at.isoformat()}/{crop_sku}"))
        farmer.apply_input(application_id=application_id, sku=sku, lot=lot, applied_at=applied_at,
                           crop_sku=crop_sku, active_ingredient=product.spec["active_ingredient"],
                           phi_days=product.spec["phi_days"])
        self.save(farmer)
        return {"application_id": application_id}

    @command
    def pay_farmer(self, *, farmer_id: str, amount_fen: int, paid_at: datetime, method: str,
                   reference: str) -> dict[str, Any]:
        farmer = self.farmer(farmer_id)
        farmer.pay(amount_fen=amount_fen, paid_at=paid_at, method=method, reference=reference)
        self.save(farmer)
        return {"farmer_id": farmer_id, "amount_fen": amount_fen, "reference": reference}
