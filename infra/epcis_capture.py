"""What ``POST /epcis/capture`` checks before anything is stored: the document against GS1's
EPCIS 2.0 JSON Schema (every error located by its JSON pointer), then each event's
``eventID`` (the EPCIS event hash where the partner sent none; one id for two different
events is refused).

The schema is GS1's own file, not a copy of ours: ``GONGXIAO_EPCIS_SCHEMA`` names where it is.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker

from projections.epcis.hashing import event_hash


class CaptureRefused(Exception):
    def __init__(self, detail: str, errors: list[dict[str, str]]) -> None:
        super().__init__(detail)
        self.detail, self.errors = detail, errors


@lru_cache(maxsize=4)
def validator(schema_path: str) -> Draft7Validator:
    schema = json.loads(Path(schema_path).read_text(encoding="utf-8"))
    return Draft7Validator(schema, format_checker=FormatChecker())


def schema_errors(document: Any, schema_path: str) -> list[dict[str, str]]:
    """Every place the document breaks the schema, as ``{field: JSON pointer, message}``."""
    found = sorted(validator(schema_path).iter_errors(document), key=lambda e: list(e.path))
    return [{"field": "/" + "/".join(str(p) for p in e.absolute_path), "message": e.message[:500]}
            for e in found]


def events_to_capture(document: Any, schema_path: str) -> list[dict[str, Any]]:
    """The events of a valid ``EPCISDocument`` (or ``EPCISQueryDocument``), each with its
    ``eventID`` and, when the document defines prefixes of its own, its ``@context``."""
    errors = schema_errors(document, schema_path)
    if not isinstance(document, dict) or document.get("type") not in (
            "EPCISDocument", "EPCISQueryDocument"):
        errors.append({"field": "/type", "message": "capture takes an EPCISDocument or an "
                                                   "EPCISQueryDocument"})
    if errors:
        raise CaptureRefused(f"the document breaks the EPCIS 2.0 schema in {len(errors)} "
                             "place(s); nothing was captured", errors)
    body = document["epcisBody"]
    events = (body["eventList"] if "eventList" in body
              else body["queryResults"]["resultsBody"]["eventList"])
    prefixes = _prefixes(document.get("@context"))
    seen: dict[str, dict[str, Any]] = {}
    problems = []
    for i, event in enumerate(events):
        own = {**prefixes, **_prefixes(event.get("@context"))}
        event_id = event.get("eventID") or event_hash(event, own)
        # recordTime is the capturing repository's to set.
        kept = {"eventID": event_id, **{k: v for k, v in event.items()
                                        if k not in ("eventID", "recordTime")}}
        if own and "@context" not in event:
            kept["@context"] = [own]
        if event_id in seen and seen[event_id] != kept:
            problems.append({"field": f"/epcisBody/eventList/{i}/eventID",
                             "message": f"{event_id} is the id of another event of this document"})
        seen[event_id] = kept
    if problems:
        raise CaptureRefused("two different events of the document have one eventID", problems)
    return list(seen.values())


def _prefixes(context: Any) -> dict[str, str]:
    items = context if isinstance(context, list) else [context]
    return {k: v for item in items if isinstance(item, dict)
            for k, v in item.items() if isinstance(v, str)}
