"""Units and identities the whole domain shares: grams-exact kg, integer fen, UTC times, ids."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from domain.errors import Invalid

GRAM = Decimal("0.001")
NAMESPACE = uuid5(NAMESPACE_URL, "https://gongxiao.example/ids")


def kg(value: Decimal | int | str, *, field: str = "kg") -> Decimal:
    """Exact kilograms to the gram; more than three decimals is refused, never rounded."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise Invalid(f"{field} is not a number: {value!r}", field=field) from None
    if not amount.is_finite() or amount != amount.quantize(GRAM):
        raise Invalid(f"{field} must have at most 3 decimals (grams): {value}", field=field)
    if amount < 0:
        raise Invalid(f"{field} must not be negative: {value}", field=field)
    return amount.quantize(GRAM)


def fen_for(quantity: Decimal, fen_per_unit: int) -> int:
    """Money for a quantity at a unit price, rounded half up to the fen."""
    return int((quantity * fen_per_unit).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def utc(moment: datetime, *, field: str = "time") -> datetime:
    """A moment in UTC; a time without an offset is ambiguous and refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise Invalid(f"{field} needs a UTC offset (RFC 3339): {moment.isoformat()}", field=field)
    return moment.astimezone(UTC)


def id_for(kind: str, key: str) -> UUID:
    """The aggregate id of a business key: creating twice finds the first."""
    return uuid5(NAMESPACE, f"{kind}:{key}")


def command_id(kind: str, key: str | None) -> UUID:
    """The id of what a command creates: from the caller's key for it (the same key, the same
    id), or a fresh one."""
    return id_for(kind, key) if key else uuid4()


def short_code(ident: UUID, length: int = 8) -> str:
    """A short, unambiguous upper-case code (Crockford base32) from an id."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    number, chars = ident.int, []
    for _ in range(length):
        number, digit = divmod(number, 32)
        chars.append(alphabet[digit])
    return "".join(chars)
