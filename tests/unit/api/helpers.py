"""Bodies of the district's commands, and what to check on every refusal."""

from __future__ import annotations

from typing import Any

from httpx import Response

from domain.application import Gongxiao
from tests.district import at

PROBLEM = "application/problem+json"


def moment(day: float, hour: float = 0) -> str:
    return at(day, hour).isoformat()


def intake_body(code: str, *, farmer: str = "zhang", sku: str = "jiuhuang", day: float = 0,
                net_kg: Any = 100, site: str = "yongan") -> dict[str, Any]:
    return {"batch_code": code, "site_id": site, "farmer_id": farmer, "sku": sku,
            "harvested_at": moment(day), "net_kg": net_kg, "scanned_at": moment(day, 2)}


def grading_body(*, day: float = 0, a: Any = 60, b: Any = 30, reject: Any = 5) -> dict[str, Any]:
    return {"graded_at": moment(day, 3), "grades": {"A": a, "B": b}, "reject_kg": reject}


def packing_body(count: int, *, day: float = 0, grade: str = "A", pack_kg: Any = 0.5,
                 site: str = "yongan") -> dict[str, Any]:
    return {"site_id": site, "sku": "jiuhuang", "grade": grade, "pack_kg": pack_kg,
            "count": count, "packed_at": moment(day, 4)}


def order_body(packs: int, *, outlet: str = "out-a", grade: str = "A",
               pack_kg: Any = 0.5) -> dict[str, Any]:
    return {"outlet_id": outlet,
            "lines": [{"sku": "jiuhuang", "grade": grade, "pack_kg": pack_kg, "packs": packs}]}


def events(app: Gongxiao) -> int:
    return app.recorder.max_notification_id() or 0


def assert_problem(response: Response, status: int, *, field: str | None = None,
                   detail: str | None = None) -> dict[str, Any]:
    """A refusal: the status, problem+json with its members, the field named if one is."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    if detail is not None:
        assert detail in body["detail"], body
    return body
