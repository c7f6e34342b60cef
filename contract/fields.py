"""The field types of API.md's bodies, shared by the API and the scan worker.

Ids are ``[A-Za-z0-9_-]{1,64}``; free text is any visible text (Chinese, full-width
punctuation, spaces) but never a control or invisible character (``visible``); times RFC 3339
with an offset (a naive time is refused), and a time something happened never later than now;
``_kg`` a JSON number with at most three decimals, read as an exact Decimal; counts and ``_fen``
whole numbers (``13698.0`` is one: JSON has no integer type). Ranges are bounded so no input
can overflow a date, a Decimal or an integer further in.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from domain.stock import MAX_PACKS_PER_RUN

GRAM = Decimal("0.001")
MAX_KG = Decimal(1_000_000)
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)?$")
# A scanner's clock may run a little fast; a time later than this ahead of ours is a mistake.
CLOCK_SKEW = timedelta(minutes=10)
# Unicode categories no text of ours holds: they are invisible on a label or a screen, can
# reorder what is shown (bidi overrides), or cannot be stored (NUL in PostgreSQL text).
REFUSED = {"Cc": "a control character", "Cf": "an invisible formatting character",
           "Cs": "a lone surrogate", "Co": "a private-use character",
           "Cn": "an unassigned code point", "Zl": "a line separator",
           "Zp": "a paragraph separator"}

MAX_PACKS = 5000  # pack codes one shipment or delivery lists


def examples(example: dict[str, Any]) -> ConfigDict:
    """An OpenAPI example from ``gongxiao demo``'s week (the model keeps ``extra="forbid"``)."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [example]})


class Public(BaseModel):
    """An answer: exactly these fields (``additionalProperties: false`` in the OpenAPI), so a
    key an answer holds and its model does not is caught (schemathesis' schema check)."""

    model_config = ConfigDict(extra="forbid")


class Command(BaseModel):
    """A request body; unknown fields are refused, so a typo is never silently dropped."""

    model_config = ConfigDict(extra="forbid")
    route: ClassVar[str] = ""
    status: ClassVar[int] = 201


def refused_character(text: str) -> str | None:
    """The first character of ``text`` no field may hold, said as ``U+202E (an invisible
    formatting character)``; None when every character may stay."""
    if text.isprintable():  # none of REFUSED is printable: the common case costs one pass in C
        return None
    for character in text:
        kind = REFUSED.get(unicodedata.category(character))
        if kind is not None:
            return f"U+{ord(character):04X} ({kind})"
    return None


def _refuse(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _refuse("number_type", "must be a JSON number")
    amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not amount.is_finite():
        raise _refuse("number_type", "must be a finite number")
    return amount


def _visible(value: Any) -> Any:
    if isinstance(value, str) and (found := refused_character(value)) is not None:
        raise _refuse("text_character", f"must not contain {found}")
    return value


def _whole(value: Any) -> Any:
    """A JSON number without a fraction, as an int; anything else is left to the int type."""
    if isinstance(value, float | Decimal) and not isinstance(value, bool):
        amount = _number(value)
        if amount.adjusted() > 18:  # before int(): 1e99999999 would take seconds to expand
            raise _refuse("int_range", "is far too large")
        if amount != amount.to_integral_value():
            raise _refuse("int_type", "must be a whole number")
        return int(amount)
    return value


def _kg(value: Any) -> Decimal:
    amount = _number(value)
    if not 0 <= amount <= MAX_KG:
        raise _refuse("kg_range", f"must be between 0 and {MAX_KG} kg")
    if amount != amount.quantize(GRAM):
        raise _refuse("kg_grams", "must have at most 3 decimals (grams)")
    return amount.quantize(GRAM)


def _positive(amount: Decimal) -> Decimal:
    if amount <= 0:
        raise _refuse("kg_positive", "must be more than 0 kg")
    return amount


def _celsius(value: Any) -> Decimal:
    amount = _number(value)
    if not -60 <= amount <= 60 or amount != amount.quantize(Decimal("0.01")):
        raise _refuse("celsius", "must be °C between -60 and 60 with at most 2 decimals")
    return amount


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and RFC3339.match(value):
        try:
            moment = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        except ValueError:
            raise _refuse("datetime", "is not a real date and time") from None
    else:
        raise _refuse("datetime", "must be an RFC 3339 time with an offset, "
                                  "e.g. 2026-11-02T09:30:00+08:00")
    if moment.utcoffset() is None:
        raise _refuse("datetime", "needs a UTC offset (RFC 3339), e.g. 2026-11-02T09:30:00+08:00")
    if not EARLIEST <= moment < LATEST:
        raise _refuse("datetime", "must be between 2000 and 2100")
    return moment


def _happened(moment: datetime) -> datetime:
    if moment > datetime.now(UTC) + CLOCK_SKEW:
        raise _refuse("datetime_future", "is in the future: a scan or a payment is dated when "
                                         "it happened; check the device's clock")
    return moment


_KG_SCHEMA = {"type": "number", "minimum": 0, "maximum": int(MAX_KG),
              "description": "kilograms, at most 3 decimals (grams)", "examples": [120.5]}
_MOMENT_SCHEMA = {"type": "string", "format": "date-time",
                  "description": "RFC 3339 with an offset, between 2000 and 2100",
                  "examples": ["2026-11-02T09:30:00+08:00"]}

# Every text and id type refuses control and invisible characters the same way; the
# validator comes last so it runs first and says which character it refused.
Visible = BeforeValidator(_visible)
Whole = BeforeValidator(_whole)
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$"), Visible]
Grade = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,8}$"), Visible]
Text = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"\S"),
                 Field(description="visible text: no control, invisible or bidi characters"),
                 Visible]
Kg = Annotated[Decimal, BeforeValidator(_kg), WithJsonSchema(_KG_SCHEMA)]
KgPositive = Annotated[Decimal, BeforeValidator(_kg), AfterValidator(_positive),
                       WithJsonSchema({**_KG_SCHEMA, "minimum": 0.001})]
Temperature = Annotated[Decimal, BeforeValidator(_celsius),
                        WithJsonSchema({"type": "number", "minimum": -60, "maximum": 60,
                                        "description": "°C, at most 2 decimals"})]
Moment = Annotated[datetime, BeforeValidator(_moment), WithJsonSchema(_MOMENT_SCHEMA)]
Happened = Annotated[datetime, BeforeValidator(_moment), AfterValidator(_happened),
                     WithJsonSchema({**_MOMENT_SCHEMA, "description":
                                     "RFC 3339 with an offset, when it happened: from 2000, "
                                     f"never more than {CLOCK_SKEW.seconds // 60} minutes "
                                     "ahead of the server's clock"})]
# In answers: an exact Decimal, written as a JSON number (``infra.event_json``), never a float.
Weight = Annotated[Decimal, WithJsonSchema({"type": "number", "minimum": 0,
                                            "description": "kilograms, exact to the gram"})]
Decimals = Annotated[Decimal, WithJsonSchema({"type": "number", "description": "exact"})]
Count = Annotated[int, Strict(), Field(ge=1, le=100_000), Whole]
PackCount = Annotated[int, Strict(), Field(ge=1, le=MAX_PACKS_PER_RUN), Whole]
Days = Annotated[int, Strict(), Field(ge=0, le=3650), Whole]
Fen = Annotated[int, Strict(), Field(ge=0, le=10**12, description="integer fen (分)"), Whole]
