"""Bodies of the district's commands, and what to check on every refusal."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from httpx import Response

from domain.application import Gongxiao
from infra.tokens import Tokens

PROBLEM = "application/problem+json"
# Orders reserve packs within shelf life at the moment they are placed, so the tests' week
# starts two days ago, not on a fixed date.
BASE = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=2)


def when(day: float, hour: float = 0) -> datetime:
    return BASE + timedelta(days=day, hours=hour)


def moment(day: float, hour: float = 0) -> str:
    return when(day, hour).isoformat()


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


def stocked(app: Gongxiao, packs: int = 6, *, code: str = "B1", farmer: str = "zhang") -> list[str]:
    """A graded batch of the district's jiuhuang and ``packs`` packs of 0.5 kg grade A."""
    app.receive_batch(batch_code=code, site_id="yongan", farmer_id=farmer, sku="jiuhuang",
                      harvested_at=when(0), net_kg="100", scanned_at=when(0, 2))
    app.grade_batch(batch_code=code, graded_at=when(0, 3), grades={"A": "60", "B": "30"},
                    reject_kg="5")
    run = app.run_packing(site_id="yongan", sku="jiuhuang", grade="A", pack_kg="0.5",
                          count=packs, packed_at=when(0, 4), key=f"pack-{code}")
    return list(run["pack_codes"])


def shipped(app: Gongxiao, codes: list[str], *, outlet: str = "out-a",
            key: str = "order-1") -> dict[str, Any]:
    """An order of those packs for the outlet, and a shipment carrying all of them."""
    order = app.place_order(outlet_id=outlet, key=key, lines=[
        {"sku": "jiuhuang", "grade": "A", "pack_kg": "0.5", "packs": len(codes)}])
    reserved = order["lines"][0]["reserved_pack_codes"]
    shipment = app.ship(order_id=order["order_id"], pack_codes=reserved, departed_at=when(1, 1),
                        key=f"ship-{key}")
    return {"order_id": order["order_id"], "shipment_id": shipment["shipment_id"],
            "pack_codes": reserved}


def token_lookups(tokens: Tokens) -> list[str]:
    """Spy on a token store's database: the statements it runs from now on."""
    side_tables = tokens._db
    seen: list[str] = []
    run = side_tables.run

    def counted(sql: str, params: Any = ()) -> Any:
        seen.append(sql)
        return run(sql, params)

    side_tables.run = counted  # type: ignore[method-assign]
    return seen


def clear_of_a_window_edge(margin_s: float = 10) -> None:
    """Wait, if need be, until the next minute is ``margin_s`` away. The sliding-window
    counter weighs the last minute's requests by the share of it still in the window, so a
    burst split by a minute's edge may pass one request more than the limit; tests that
    count a burst's refusals exactly start clear of an edge."""
    left = 60 - time.time() % 60
    if left < margin_s:
        time.sleep(left + 0.05)
