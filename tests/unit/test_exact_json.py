"""The exact JSON encoder writes what the encoder written in Python wrote, only faster."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.event_json import _number, dumps, jsonable, loads


def reference(value: Any) -> str:
    """The encoder dumps replaced, element by element in Python (kept to compare with)."""
    return "".join(_reference(value))


def _reference(value: Any) -> Any:
    value = jsonable(value)
    if isinstance(value, dict):
        yield "{"
        for i, (k, v) in enumerate(value.items()):
            yield ("," if i else "") + json.dumps(k, ensure_ascii=False) + ":"
            yield from _reference(v)
        yield "}"
    elif isinstance(value, list):
        yield "["
        for i, v in enumerate(value):
            if i:
                yield ","
            yield from _reference(v)
        yield "]"
    elif isinstance(value, Decimal):
        yield _number(value)
    else:
        yield json.dumps(value, ensure_ascii=False)


scalars = (st.none() | st.booleans() | st.integers() | st.text()
           | st.decimals(allow_nan=False, allow_infinity=False)
           | st.floats(allow_nan=False, allow_infinity=False)
           | st.datetimes(timezones=st.just(UTC)) | st.uuids())
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=5), inner, max_size=4)
                      | st.frozensets(st.integers() | st.decimals(allow_nan=False,
                                                                  allow_infinity=False),
                                      max_size=4), max_leaves=20)


@given(values)
def test_dumps_writes_what_the_python_encoder_wrote(value: Any) -> None:
    assert dumps(value) == reference(value)


def test_decimals_cross_exactly_and_a_string_cannot_pass_for_one() -> None:
    body = {"net_kg": Decimal("120.123"), "at": datetime(2026, 11, 3, tzinfo=UTC),
            "id": UUID(int=7), "note": '"0123456789abcdef0"', "kg": [Decimal("0.500"), 2.5]}
    text = dumps(body)
    assert loads(text) == {"net_kg": Decimal("120.123"), "at": "2026-11-03T00:00:00+00:00",
                           "id": str(UUID(int=7)), "note": '"0123456789abcdef0"',
                           "kg": [Decimal("0.5"), Decimal("2.5")]}
    assert dumps(Decimal("7.000")) == "7"


def test_a_number_that_is_not_one_is_refused() -> None:
    with pytest.raises(ValueError):
        dumps({"x": Decimal("NaN")})
