"""A scan's rejection as ``gongxiao.scans.rejected`` publishes it: ``{scan_id, status,
problem, source}``, small and valid UTF-8 whatever the message held.

A gateway matches a rejection to its scan by ``scan_id`` (only one it could have sent: text
of at most ``SCAN_ID_MAX`` characters) or by ``source`` (topic, partition, offset). The
problem is the one the API would answer, its text cut short: a scan id of 900 KB, echoed in
the key and the value, once made a rejection the broker refused, and the worker retried it
forever. Text may hold a lone surrogate (valid in JSON, not in UTF-8); it is written as its
JSON escape, which reads back as the same text.
"""

from __future__ import annotations

from typing import Any

from kafka.consumer.fetcher import ConsumerRecord

from infra.event_json import dumps

SCAN_ID_MAX = 200
DETAIL_MAX, ERRORS_MAX, EXTRA_MAX = 2_000, 50, 8_000
Rejection = dict[str, Any]


def rejection(record: ConsumerRecord, scan_id: str | None, status: int,
              answer: dict[str, Any]) -> Rejection:
    """The rejection of the scan in ``record``, answered ``status`` and ``answer``."""
    return {"scan_id": scan_id, "status": status, "problem": _bounded(answer),
            "source": {"topic": record.topic, "partition": record.partition,
                       "offset": record.offset}}


def scan_id_of(message: Any) -> str | None:
    """The scan id a decoded message names, if it is text of a size a gateway could send."""
    scan_id = message.get("scan_id") if isinstance(message, dict) else None
    return scan_id if isinstance(scan_id, str) and len(scan_id) <= SCAN_ID_MAX else None


def why_malformed(error: Exception) -> str:
    """Why a message is not JSON, in words (the decoder's own, cut short)."""
    if isinstance(error, RecursionError):
        return "it is nested too deeply"
    if isinstance(error, TypeError):
        return "the message has no value"
    return _cut(str(error), 200)


def key_and_value(rejected: Rejection) -> tuple[bytes | None, bytes]:
    """The message's key (the scan id) and value."""
    scan_id = rejected["scan_id"]
    return None if scan_id is None else _utf8(scan_id), _utf8(dumps(rejected))


def _bounded(answer: dict[str, Any]) -> dict[str, Any]:
    bounded = {k: v for k, v in answer.items() if k not in ("detail", "errors")}
    if len(dumps(bounded)) > EXTRA_MAX:  # a domain error's extras, none of them needed
        bounded = {k: answer[k] for k in ("type", "title", "status") if k in answer}
    bounded["detail"] = _cut(str(answer.get("detail", "")))
    if isinstance(answer.get("errors"), list):
        bounded["errors"] = [{"field": _cut(str(e.get("field")), 200),
                              "message": _cut(str(e.get("message")), 200)}
                             for e in answer["errors"][:ERRORS_MAX]]
    return bounded


def _cut(text: str, most: int = DETAIL_MAX) -> str:
    return text if len(text) <= most else text[:most] + "…"


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "backslashreplace")  # a lone surrogate as its JSON escape
