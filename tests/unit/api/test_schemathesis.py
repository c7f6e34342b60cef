"""A bounded schemathesis run against the OpenAPI description: whatever it sends, valid by
the schema or not, no 500, every refusal is problem+json, and every answer is one the
description lists, in the shape it gives. It runs as admin, so requests reach the domain; the
district is seeded so some ids exist. Then every read answers the demo week as described."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from domain.application import Gongxiao
from infra.demo import load_demo
from infra.settings import Settings
from tests.epcis_reference import schema_path
from tests.unit.api.helpers import PROBLEM


@pytest.fixture(name="settings")
def with_epcis_schema(tmp_path: Path) -> Settings:
    """The embedded store, GS1's schema for EPCIS capture and a public address for labels
    (each answers 503 without its setting)."""
    return Settings(database_url=None, kafka_bootstrap=None, var_dir=tmp_path,
                    public_url="https://trace.gongxiao.test", epcis_schema=schema_path())


# About 20 s on the 2-core machine: bounded by examples per operation, not by time.
EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 15}
AS_DESCRIBED = [status_code_conformance, content_type_conformance, response_schema_conformance,
                response_headers_conformance]


def refusals_are_problem_json(ctx: Any, response: Any, case: Any) -> bool | None:
    if response.status_code < 400:
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type.startswith(PROBLEM), response.text
    body = response.json()
    assert body["status"] == response.status_code
    assert isinstance(body["title"], str) and isinstance(body["detail"], str)
    assert body["type"].startswith(("https://", "epcisException:"))  # EPCIS's own types
    assert "Traceback" not in response.text
    return None


def test_every_operation_answers_without_500_and_refuses_with_problem_json(
        client: TestClient, district: Gongxiao, tokens: dict[str, str]) -> None:
    api_schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode, count in EXAMPLES.items():

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=count, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def answers_well(case: Any) -> None:
                response = case.call(headers=admin)
                case.validate_response(response, checks=[not_a_server_error,
                                                          refusals_are_problem_json, *AS_DESCRIBED])

            try:
                answers_well()
            except Unsatisfiable:
                # Nothing to get wrong in a request without parameters or body (/healthz).
                assert mode is GenerationMode.NEGATIVE, operation.label
    assert operations >= 28


def test_every_read_of_the_demo_week_answers_as_the_openapi_describes(
        client: TestClient, district: Gongxiao, tokens: dict[str, str],
        catch_up: Callable[[], Any]) -> None:
    week = load_demo(district)
    catch_up()
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    orders = client.get("/v1/orders", headers=admin).json()
    batch = week["batches"][0]
    pack = client.get("/v1/recall", params={"batch_code": batch}, headers=admin).json()["packs"][0]
    reads = {
        "/v1/orders": [{}, {"query": {"outlet_id": "outlet-jinniu", "status": "shipped"}}],
        "/v1/orders/{order_id}": [{"path_parameters": {"order_id": o["order_id"]}} for o in orders],
        "/v1/batches/{batch_code}": [{"path_parameters": {"batch_code": b}} for b in week["batches"]],
        "/v1/trace/{code}": [{"path_parameters": {"code": c}} for c in (batch, pack["pack_code"])],
        "/v1/farmers/{farmer_id}/earnings": [{"path_parameters": {"farmer_id": f}}
                                             for f in ("f-zhang", "f-wang", "f-liu")],
        "/v1/recall": [{"query": {"batch_code": batch}}, {"query": {"input_lot": "LOT-BCL-0921"}}],
        "/v1/stock": [{}], "/v1/catalog": [{}], "/v1/holds": [{}], "/v1/events": [{}],
        "/healthz": [{}], "/v1/packs/{pack_code}/label.svg": [
            {"path_parameters": {"pack_code": pack["pack_code"]}}],
        "/v1/packing-runs/{run_id}/labels.svg": [{"path_parameters": {"run_id": pack["run_id"]}}],
    }
    api_schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    for path, cases in reads.items():
        operation = api_schema[path]["GET"]
        for parts in cases:
            case = operation.Case(**parts)
            response = case.call(headers=admin)
            assert response.status_code == 200, (path, parts, response.text)
            case.validate_response(response, checks=AS_DESCRIBED)
