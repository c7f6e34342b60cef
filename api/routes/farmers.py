"""Farmers: master data (admin), their earnings (admin, the farmer), payments to them (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pypinyin import Style, lazy_pinyin

from api.deps import Admin, App, Caller, Id, Run, Views
from api.jsonio import Answer, ExactRoute
from api.schemas.masterdata import FarmerCreate, FarmerListed, FarmerPublic
from api.schemas.money import EarningsPublic, Payment, PaymentCreate, PaymentPublic
from api.schemas.problems import answers
from infra.fields import Moment
from infra.problems import Problem

router = APIRouter(prefix="/v1/farmers", tags=["farmers"], route_class=ExactRoute)


@router.get("", response_model=None,
            responses=answers(200, list[FarmerListed], "every registered farmer, by id", 401, 403))
def list_farmers(views: Views, caller: Caller) -> Answer:
    """For staff picking a farmer (the station's intake): name, village, the phone's last four
    digits, and the name in pinyin (zhangdeming) and its initials (zdm)."""
    caller.allow("operator")
    return Answer([{**f, "pinyin": "".join(lazy_pinyin(f["name"])),
                    "initials": "".join(lazy_pinyin(f["name"], style=Style.FIRST_LETTER))}
                   for f in views.trace.farmers()])


@router.put("/{farmer_id}", response_model=None,
            responses=answers(200, FarmerPublic, "the farmer as registered", 401, 403, 422))
def put_farmer(farmer_id: Id, body: FarmerCreate, app: App, _: Admin) -> Answer:
    """Register a farmer, or correct their details."""
    return Answer(app.register_farmer(farmer_id=farmer_id, **body.model_dump()))


@router.get("/{farmer_id}/earnings", response_model=None,
            responses=answers(200, EarningsPublic, "earnings, credit, payments and balance",
                              401, 403, 404, 422))
def get_earnings(farmer_id: Id, app: App, views: Views, caller: Caller,
                 from_: Annotated[Moment | None, Query(alias="from")] = None,
                 to: Annotated[Moment | None, Query()] = None) -> Answer:
    """A farmer's statement: each line points at the event it came from."""
    caller.allow("farmer", scope=farmer_id)
    if from_ is not None and to is not None and from_ > to:
        raise Problem(422, "the period ends before it begins: `from` is after `to`",
                      slug="validation", errors=[{"field": "from", "message": "is after to"}])
    app.farmer(farmer_id)
    return Answer(views.earnings.statement(farmer_id, from_=from_, to=to))


@router.post("/{farmer_id}/payments", status_code=201, response_model=None,
             responses=answers(201, PaymentPublic, "the payment recorded", 401, 403, 404, 409, 422))
def post_payment(farmer_id: Id, body: PaymentCreate, _: Admin, run: Run) -> Answer:
    """Pay a farmer; the reference makes a payment sent twice count once."""
    return run(Payment(farmer_id=farmer_id, **body.model_dump()))


