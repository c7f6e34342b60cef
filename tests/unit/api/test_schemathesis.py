"""A bounded schemathesis run against the OpenAPI description: whatever it sends, valid by
the schema or not, no 500, and every refusal is problem+json. It runs as admin, so requests
reach the domain; the district is seeded so some ids exist."""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from domain.application import Gongxiao
from tests.unit.api.helpers import PROBLEM

# About 20 s on the 2-core machine: bounded by examples per operation, not by time.
EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 15}


def refusals_are_problem_json(ctx: Any, response: Any, case: Any) -> bool | None:
    if response.status_code < 400:
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type.startswith(PROBLEM), response.text
    body = response.json()
    assert body["status"] == response.status_code
    assert isinstance(body["title"], str) and isinstance(body["detail"], str)
    assert body["type"].startswith("https://")
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
                                                          refusals_are_problem_json])

            try:
                answers_well()
            except Unsatisfiable:
                # Nothing to get wrong in a request without parameters or body (/healthz).
                assert mode is GenerationMode.NEGATIVE, operation.label
    assert operations >= 28
