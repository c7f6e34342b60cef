"""Corrections of recorded business (an input sale, a payment to a farmer, a member's capital):
a fact recorded wrong is never edited; its correction records what it was and what it is, and
the books post the reversal (红字) of what was posted and the fact anew (``domain.books``).

A correction is known by its id (the command's id): the same id again with
the same correction records nothing, with another correction it is refused. A correction that
changes nothing records nothing either. The ids an aggregate took are kept in its state under
``corrections``; a stored snapshot from before corrections existed has none, so they are
made on first use.
"""

from __future__ import annotations

from typing import Any

from domain.errors import IdempotencyConflict, Invalid


def corrections(aggregate: Any) -> dict[str, Any]:
    """The corrections an aggregate took, by correction id → what each said."""
    taken: dict[str, Any] = aggregate.__dict__.setdefault("corrections", {})
    return taken


def repeated(aggregate: Any, correction_id: str, said: dict[str, Any]) -> bool:
    """Whether this correction was taken already (nothing more is recorded); the same id for
    another correction is refused."""
    earlier = corrections(aggregate).get(correction_id)
    if earlier is None:
        return False
    if earlier != said:
        raise IdempotencyConflict("this idempotency key was used for a different correction")
    return True


def check_reason(text: str) -> str:
    """A correction says why."""
    if not text or not text.strip():
        raise Invalid("a correction says why", field="reason")
    return text.strip()


def positive_fen(amount: Any, field: str = "amount_fen") -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise Invalid(f"{field} must be a positive number of fen", field=field)
    return amount


def money_correction(aggregate: Any, records: dict[str, dict[str, Any]], *, correction_id: str,
                     reference: str, amount_fen: int, method: str, reason: str,
                     unknown: Exception) -> dict[str, Any] | None:
    """A money record (a payment, a contribution) said again with its amount and method: what
    its ``Corrected`` event carries, or None when there is nothing to record (the same
    correction again, or one that changes nothing); ``unknown`` is raised for a reference the
    aggregate never recorded."""
    said = {"reference": reference, "amount_fen": amount_fen, "method": method,
            "reason": reason}
    if repeated(aggregate, correction_id, said):
        return None
    earlier = records.get(reference)
    if earlier is None:
        raise unknown
    positive_fen(amount_fen)
    why = check_reason(reason)
    if (earlier["amount_fen"], earlier["method"]) == (amount_fen, method):
        return None
    return {"correction_id": correction_id, "said": said, "reference": reference, "reason": why,
            "was": {"amount_fen": earlier["amount_fen"], "method": earlier["method"]},
            "now": {"amount_fen": amount_fen, "method": method}}


def money_corrected(aggregate: Any, records: dict[str, dict[str, Any]], *, correction_id: str,
                    said: dict[str, Any], reference: str, was: dict[str, Any],
                    now: dict[str, Any]) -> None:
    """The record as corrected; ``first`` keeps what it first said."""
    corrections(aggregate)[correction_id] = said
    earlier = records[reference]
    records[reference] = {**earlier, **now, "first": earlier.get("first", was)}
