"""Farmers: master data (admin), their earnings (admin, the farmer), payments to them (admin)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pypinyin import Style, lazy_pinyin

from api.deps import Admin, App, Caller, Id, Run, Views
from api.jsonio import Answer, ExactRoute
from contract.fields import Moment, Text
from contract.masterdata import FarmerCreate, FarmerListed, FarmerPublic
from contract.money import (
    AmountCorrection,
    EarningsPublic,
    Payment,
    PaymentCorrection,
    PaymentCorrectionPublic,
    PaymentCreate,
    PaymentPublic,
)
from contract.problems import problems
from infra.application import StoredGongxiao
from infra.problems import InvalidField

router = APIRouter(prefix="/v1/farmers", tags=["farmers"], route_class=ExactRoute)


@router.get("", response_model=list[FarmerListed],
            response_description="every registered farmer, by id", responses=problems(401, 403))
def list_farmers(views: Views, caller: Caller) -> Answer:
    """For staff picking a farmer (the station's intake): name, village, the phone's last four
    digits, and the name in pinyin (zhangdeming) and its initials (zdm)."""
    caller.allow("operator", "accountant")  # the books name members by name
    return Answer([{**f, "pinyin": "".join(lazy_pinyin(f["name"])),
                    "initials": "".join(lazy_pinyin(f["name"], style=Style.FIRST_LETTER))}
                   for f in views.trace.farmers()])


@router.put("/{farmer_id}", response_model=FarmerPublic,
            response_description="the farmer as registered",
            responses=problems(401, 403, 422))
def put_farmer(farmer_id: Id, body: FarmerCreate, app: App, _: Admin) -> Answer:
    """Register a farmer, or correct their details."""
    return Answer(app.register_farmer(farmer_id=farmer_id, **body.model_dump()))


@router.get("/{farmer_id}/earnings", response_model=EarningsPublic,
            response_description="earnings, credit, payments and balance",
            responses=problems(401, 403, 404, 422))
def get_earnings(farmer_id: Id, app: App, views: Views, caller: Caller,
                 from_: Annotated[Moment | None, Query(alias="from")] = None,
                 to: Annotated[Moment | None, Query()] = None) -> Answer:
    """A farmer's statement: each line points at the event it came from."""
    caller.allow("farmer", scope=farmer_id)
    if from_ is not None and to is not None and from_ > to:
        raise InvalidField("the period ends before it begins: `from` is after `to`",
                           field="from", message="is after to")
    statement = views.earnings.statement(farmer_id, from_=from_, to=to)
    return Answer({**statement, "farmer_name": app.farmer(farmer_id).name,
                   "lines": [_named(app, line) for line in statement["lines"]]})


@router.post("/{farmer_id}/payments", status_code=201, response_model=PaymentPublic,
             response_description="the payment recorded",
             responses=problems(401, 403, 404, 409, 422))
def post_payment(farmer_id: Id, body: PaymentCreate, _: Admin, run: Run) -> Answer:
    """Pay a farmer; the reference makes a payment sent twice count once."""
    return run(Payment(farmer_id=farmer_id, **body.model_dump()))


@router.post("/{farmer_id}/payments/{reference}/correction",
             response_model=PaymentCorrectionPublic,
             response_description="the payment as corrected",
             responses=problems(401, 403, 404, 409, 422))
def post_payment_correction(farmer_id: Id, reference: Text, body: AmountCorrection, _: Admin,
                            run: Run) -> Answer:
    """A payment recorded wrong (amount or method): the books post its reversal (红字) and
    the payment anew; the same Idempotency-Key again records nothing."""
    return run(PaymentCorrection(farmer_id=farmer_id, reference=reference, **body.model_dump()))




def _named(app: StoredGongxiao, line: dict[str, Any]) -> dict[str, Any]:
    """A statement line in the words the farmer reads it in: the produce by name, and for
    inputs on credit the shop and what was bought (the line's ref is the sale's id)."""
    if line.get("sku"):
        return {**line, "product_name": app.product(line["sku"]).spec["name"]}
    if line["kind"] != "input_credit":
        return line
    sale = app.find(UUID(line["ref"].split("/")[0]))
    assert sale is not None, "an earnings line comes from its sale's own event"
    return {**line, "shop_name": app.site(sale.shop_id).name,
            "items": [{"name": app.product(item["sku"]).spec["name"], "quantity": item["quantity"]}
                      for item in sale.lines]}
