"""infra.commands: a scan from Kafka is validated and answered exactly like its POST."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

import contract.books
import contract.coldstore
import contract.inputs
import contract.money
import contract.orders
import contract.recalls
import contract.supply
from contract.fields import Command
from domain.application import Gongxiao
from infra.commands import KINDS, USE_CASES, execute
from infra.idempotency import Replies
from tests.unit.api.helpers import (
    events,
    grading_body,
    intake_body,
    moment,
    order_body,
    packing_body,
    stocked,
)

Auth = Callable[[str], dict[str, str]]


def test_every_command_a_route_names_runs_one_use_case() -> None:
    """A model with a route is run through the table, itself or as the subclass that adds
    what the URL names (``GradingCreate`` → ``GradingScan``); no row names a model twice."""
    modules = (contract.coldstore, contract.inputs, contract.money, contract.orders,
               contract.recalls, contract.supply)
    routed = {model for module in modules for model in vars(module).values()
              if isinstance(model, type) and issubclass(model, Command) and model.route}
    assert len(routed) >= 15
    for model in routed:
        assert any(issubclass(row, model) for row in USE_CASES), model.__name__
    # the books' corrections run through the table too (its plan's steps do not, yet)
    routed |= {model for model in vars(contract.books).values()
               if isinstance(model, type) and issubclass(model, Command) and model.route}
    assert set(USE_CASES) <= routed


def test_every_scan_kind_answers_what_its_post_answers(client: TestClient, district: Gongxiao,
                                                       auth: Auth) -> None:
    stocked(district, packs=2)
    replies: Replies = client.app.state.replies  # type: ignore[attr-defined]
    op = auth("admin")

    def both(kind: str, body: dict[str, Any], url: str, post_body: dict[str, Any]) -> Any:
        scanned = execute(district, kind, body, f"scan-{kind}", caller="admin", replies=replies,
                          base_url="http://testserver/")
        posted = client.post(url, json=post_body, headers=op | {"Idempotency-Key": f"scan-{kind}"})
        assert scanned == (posted.status_code, posted.json()), kind
        assert posted.headers["idempotent-replayed"] == "true"
        return scanned[1]

    both("intake", intake_body("S1"), "/v1/batches", intake_body("S1"))
    both("grading", grading_body() | {"batch_code": "S1"}, "/v1/batches/S1/grading",
         grading_body())
    both("packing", packing_body(2), "/v1/packing-runs", packing_body(2))
    order = client.post("/v1/orders", json=order_body(2), headers=op).json()
    codes = order["lines"][0]["reserved_pack_codes"]
    shipment = both("shipment", {"order_id": order["order_id"], "pack_codes": codes,
                                 "departed_at": moment(1)}, "/v1/shipments",
                    {"order_id": order["order_id"], "pack_codes": codes, "departed_at": moment(1)})
    delivery = {"received_at": moment(1, 2), "pack_codes": codes}
    both("delivery", delivery | {"shipment_id": shipment["shipment_id"]},
         f"/v1/shipments/{shipment['shipment_id']}/delivery", delivery)
    sale = {"outlet_id": "out-a", "pack_code": codes[0], "sold_at": moment(1, 3), "price_fen": 1680}
    both("sale", sale, "/v1/sales", sale)
    assert set(KINDS) == {"intake", "grading", "packing", "shipment", "delivery", "sale"}


def test_a_refused_scan_answers_the_problem_its_post_would(client: TestClient,
                                                           district: Gongxiao,
                                                           auth: Auth) -> None:
    before = events(district)
    bad = intake_body("S1", net_kg=1.0005)
    scanned = execute(district, "intake", bad, "scan-bad")
    posted = client.post("/v1/batches", json=bad, headers=auth("admin"))
    assert scanned == (posted.status_code, posted.json())
    assert scanned[0] == 422
    unknown = execute(district, "intake", intake_body("S2", farmer="nobody"), "scan-nobody")
    assert unknown[0] == 404 and unknown[1]["title"] == "Unknown farmer"
    assert events(district) == before


def test_a_scan_without_its_batch_or_of_an_unknown_kind_is_refused(district: Gongxiao) -> None:
    status, problem = execute(district, "grading", grading_body(), "scan-g")
    assert status == 422 and problem["errors"][0]["field"] == "batch_code"
    status, problem = execute(district, "weighing", {}, "scan-w")
    assert status == 422 and problem["errors"] == [{"field": "kind", "message": "unknown scan kind"}]
    status, problem = execute(district, "intake", "not an object", None)
    assert status == 422


def test_a_replayed_scan_records_nothing_and_a_reused_id_is_a_conflict(district: Gongxiao) -> None:
    replies = Replies(district.recorder)
    first = execute(district, "intake", intake_body("S1"), "scan-1", replies=replies)
    after = events(district)
    assert execute(district, "intake", intake_body("S1"), "scan-1", replies=replies) == first
    status, problem = execute(district, "intake", intake_body("S2"), "scan-1", replies=replies)
    assert status == 409 and "scan-1" in problem["detail"]
    assert events(district) == after


def test_a_scan_id_from_kafka_is_not_a_token_callers_key(client: TestClient, district: Gongxiao,
                                                         auth: Auth) -> None:
    replies: Replies = client.app.state.replies  # type: ignore[attr-defined]
    assert execute(district, "intake", intake_body("S1"), "scan-7", replies=replies)[0] == 201
    posted = client.post("/v1/batches", json=intake_body("S2"),
                         headers=auth("operator") | {"Idempotency-Key": "scan-7"})
    assert posted.status_code == 201 and posted.json()["batch_code"] == "S2"
