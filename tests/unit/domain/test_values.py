"""Money is integer fen, weights are exact to the gram, times carry their offset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from domain.errors import Invalid
from domain.values import fen_for, kg, short_code, utc


def test_kg_is_exact_to_the_gram() -> None:
    assert kg("0.1") + kg("0.2") == Decimal("0.300")
    assert kg(2) == Decimal("2.000")


@pytest.mark.parametrize("bad", ["1.0001", "-1", "NaN", "abc", "Infinity"])
def test_kg_beyond_grams_or_not_a_weight_is_refused(bad: str) -> None:
    with pytest.raises(Invalid):
        kg(bad)


def test_money_rounds_half_up_to_whole_fen() -> None:
    assert fen_for(Decimal("0.5"), 3) == 2
    assert fen_for(Decimal("0.499"), 3) == 1
    assert isinstance(fen_for(Decimal("1.234"), 1200), int)


def test_times_are_kept_in_utc_and_naive_times_are_refused() -> None:
    shanghai = timezone(timedelta(hours=8))
    assert utc(datetime(2026, 11, 2, 8, tzinfo=shanghai)) == datetime(2026, 11, 2, tzinfo=UTC)
    with pytest.raises(Invalid):
        utc(datetime(2026, 11, 2, 8))


def test_short_codes_are_stable_and_unambiguous() -> None:
    from uuid import UUID

    ident = UUID(int=123456789)
    assert short_code(ident) == short_code(ident)
    assert not set(short_code(ident)) & set("ILOU")
