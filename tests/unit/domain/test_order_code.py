"""An order's short code: what people read and type, the same wherever it is shown."""

from __future__ import annotations

from uuid import UUID, uuid4

from domain.order import order_code


def test_the_code_is_the_ids_first_eight_hex_digits_upper_case() -> None:
    assert order_code(UUID("3c0ddf12-9a4b-4c1d-8e2f-0123456789ab")) == "3C0DDF12"
    assert order_code("3c0ddf12-9a4b-4c1d-8e2f-0123456789ab") == "3C0DDF12"


def test_the_code_is_the_same_every_time_for_an_id() -> None:
    some = uuid4()
    assert order_code(some) == order_code(str(some)) and len(order_code(some)) == 8
