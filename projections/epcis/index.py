"""What the standard query filters on, read from an EPCIS event: the row of ``epcis_events``
and the identifiers it names with their role (``epcis_epcs``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from projections.epcis.vocabulary import canonical_uri
from projections.tables import dumps, us

# Where an event names identifiers, and the role the MATCH_* parameters know them by.
EPC_FIELDS = {"epcList": "epc", "childEPCs": "child", "inputEPCList": "input",
              "outputEPCList": "output"}
CLASS_FIELDS = {"quantityList": "class", "childQuantityList": "child_class",
                "inputQuantityList": "input_class", "outputQuantityList": "output_class"}


def row_of(event: dict[str, Any], *, seq: int, origin: str,
           recorded: datetime) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    stored = {**event, "recordTime": recorded.isoformat(timespec="milliseconds")}
    row = {"event_id": event["eventID"], "seq": seq, "event_type": event["type"],
           "event_us": us(parse_time(event["eventTime"])), "record_us": us(recorded),
           "action": event.get("action"), "biz_step": vocabulary(event.get("bizStep"), "BizStep-"),
           "disposition": vocabulary(event.get("disposition"), "Disp-"),
           "read_point": canonical((event.get("readPoint") or {}).get("id")),
           "biz_location": canonical((event.get("bizLocation") or {}).get("id")),
           "transformation_id": canonical(event.get("transformationID")),
           "origin": origin, "doc": dumps(stored)}
    return row, epcs_of(event)


def epcs_of(event: dict[str, Any]) -> list[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for field, role in EPC_FIELDS.items():
        found.update((canonical(e) or e, role) for e in event.get(field) or [])
    if event.get("parentID"):
        found.add((canonical(event["parentID"]) or event["parentID"], "parent"))
    for field, role in CLASS_FIELDS.items():
        found.update((canonical(q["epcClass"]) or q["epcClass"], role)
                     for q in event.get(field) or [])
    return sorted(found)


def canonical(uri: str | None) -> str | None:
    """An identifier as it is compared: EPC URNs and Digital Links in canonical form."""
    return None if uri is None else canonical_uri(uri)


def vocabulary(word: str | None, kind: str) -> str | None:
    """A CBV word in its bare form (``receiving``), whichever way it was written."""
    if word is None:
        return None
    for prefix in (f"https://ref.gs1.org/cbv/{kind}", f"urn:epcglobal:cbv:{kind.lower()[:-1]}:",
                   f"cbv:{kind}"):
        if word.startswith(prefix):
            return word[len(prefix):]
    return word


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
