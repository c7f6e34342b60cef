"""The field types of API.md's request bodies, shared by the API and the scan worker.

Ids are ``[A-Za-z0-9_-]{1,64}``; times RFC 3339 with an offset (a naive time is refused);
``_kg`` a JSON number with at most three decimals, read as an exact Decimal; ``_fen`` an
integer. Ranges are bounded so no input can overflow a date or a Decimal further in.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
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

from domain.application import Gongxiao

GRAM = Decimal("0.001")
MAX_KG = Decimal(1_000_000)
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d{1,6})?([Zz]|[+-]\d\d:\d\d)?$")


class Command(BaseModel):
    """A request body; unknown fields are refused, so a typo is never silently dropped."""

    model_config = ConfigDict(extra="forbid")
    route: ClassVar[str] = ""
    status: ClassVar[int] = 201

    def fields(self) -> dict[str, Any]:
        return self.model_dump()

    def perform(self, app: Gongxiao, key: str | None, base_url: str) -> dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__} is not a command of its own")


def _refuse(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _refuse("number_type", "must be a JSON number")
    amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not amount.is_finite():
        raise _refuse("number_type", "must be a finite number")
    return amount


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


_KG_SCHEMA = {"type": "number", "minimum": 0, "maximum": int(MAX_KG),
              "description": "kilograms, at most 3 decimals (grams)", "examples": [120.5]}

Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Grade = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,8}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=200,
                                        pattern=r"^[^\x00-\x1f\x7f]*\S[^\x00-\x1f\x7f]*$")]
Kg = Annotated[Decimal, BeforeValidator(_kg), WithJsonSchema(_KG_SCHEMA)]
KgPositive = Annotated[Decimal, BeforeValidator(_kg), AfterValidator(_positive),
                       WithJsonSchema({**_KG_SCHEMA, "minimum": 0.001})]
Temperature = Annotated[Decimal, BeforeValidator(_celsius),
                        WithJsonSchema({"type": "number", "minimum": -60, "maximum": 60,
                                        "description": "°C, at most 2 decimals"})]
Moment = Annotated[datetime, BeforeValidator(_moment),
                   WithJsonSchema({"type": "string", "format": "date-time",
                                   "description": "RFC 3339 with an offset",
                                   "examples": ["2026-11-02T09:30:00+08:00"]})]
Count = Annotated[int, Strict(), Field(ge=1, le=100_000)]
Days = Annotated[int, Strict(), Field(ge=0, le=3650)]
Fen = Annotated[int, Strict(), Field(ge=0, le=10**12, description="integer fen (分)")]
