"""Outlet orders: placed and cancelled by the outlet (or admin), read by operators picking them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.access import order_id_of, order_sites
from api.deps import App, Caller, Run, Views
from api.jsonio import Answer, ExactRoute
from contract.fields import Code
from contract.orders import (
    OrderCancel,
    OrderCancelCreate,
    OrderCreate,
    OrderPublic,
    OrderSummaryPublic,
)
from contract.problems import problems
from infra.problems import Forbidden

router = APIRouter(prefix="/v1/orders", tags=["outlets"], route_class=ExactRoute)
OrderId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


@router.post("", status_code=201, response_model=OrderPublic,
             response_description="placed; the reserved codes are the pick list",
             responses=problems(401, 403, 404, 409, 422))
def post_order(body: OrderCreate, caller: Caller, run: Run) -> Answer:
    """Reserve packs FEFO for every line, or none; 409 says what is available when short."""
    caller.allow("outlet", scope=body.outlet_id)
    return run(body)


@router.get("", response_model=list[OrderSummaryPublic],
            response_description="orders, newest first, without "
                              "their pack codes",
            responses=problems(401, 403, 422))
def list_orders(views: Views, caller: Caller,
                outlet_id: Annotated[Code | None, Query()] = None,
                status: Annotated[str | None, Query(pattern=r"^[a-z_]{1,32}$",
                                                   examples=["placed"])] = None) -> Answer:
    """An outlet token lists its own outlet's orders only. An operator token, whatever its
    cold store, lists every outlet's orders, as staff do: operators plan their picking from
    it. The list holds no pack codes; an order's pick list is ``GET /v1/orders/{order_id}``,
    for the operators of the cold stores its packs are at."""
    if caller.role == "outlet":
        outlet_id = caller.allow("outlet", scope=outlet_id or caller.scope).scope
    else:
        caller.allow("operator")
    return Answer(views.orders.list(outlet_id=outlet_id, status=status))


@router.get("/{order_id}", response_model=OrderPublic,
            response_description="the order now",
            responses=problems(401, 403, 404, 422))
def get_order(order_id: OrderId, app: App, views: Views, caller: Caller) -> Answer:
    """The order and its pick list: for its outlet, and for the operators of the cold stores
    its packs are at. The order's id or its short code (``order_code``)."""
    order = app.order(order_id_of(views, order_id))
    if caller.role == "outlet":
        caller.allow("outlet", scope=order.outlet_id)
    elif caller.role == "operator" and caller.scope not in order_sites(app, order):
        raise Forbidden(f"order {order_id} has no packs at {caller.scope}",
                        slug="forbidden-scope")
    else:
        caller.allow("operator")
    return Answer(app.order_answer(order))


@router.post("/{order_id}/cancel", response_model=OrderPublic,
             response_description="cancelled; its packs are free again",
             responses=problems(401, 403, 404, 409, 422))
def post_cancel(order_id: OrderId, app: App, views: Views, caller: Caller, run: Run,
                body: OrderCancelCreate | None = None) -> Answer:
    order_id = order_id_of(views, order_id)
    caller.allow("outlet", scope=app.order(order_id).outlet_id)
    reason = body.reason if body is not None else OrderCancelCreate().reason
    return run(OrderCancel(order_id=order_id, reason=reason))
