"""The EPCIS event hash (CBV 2.0 §8.9): an event's ``eventID`` computed from what it says.

The pre-hash string takes the event's fields in the canonical property order, each as
``key=value`` with no separators; list items are sorted; times are UTC to the millisecond with
``Z``; numbers lose trailing zeros; bare CBV words and ``urn:epcglobal:cbv`` URNs become their
``https://ref.gs1.org/cbv/…`` Web URIs, CURIEs are expanded, EPC URNs and GS1 Digital Link URIs
become constrained canonical Digital Links on ``id.gs1.org``; ILMD and user extensions are
``{namespace}local=value`` sorted and follow the standard fields. The string's SHA-256 is
written ``ni:///sha-256;{hex}?ver=CBV2.0`` (RFC 6920). ``recordTime``, ``eventID`` and
``errorDeclaration`` take no part: an event keeps its hash when it is recorded or declared wrong.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from projections.epcis.vocabulary import CBV, NAMESPACES, canonical_uri

QUANTITY = ("epcClass", "quantity", "uom")
SENSOR_METADATA = ("time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData",
                   "dataProcessingMethod", "bizRules")
SENSOR_REPORT = ("type", "exception", "deviceID", "deviceMetadata", "rawData",
                 "dataProcessingMethod", "time", "microorganism", "chemicalSubstance", "value",
                 "component", "stringValue", "booleanValue", "hexBinaryValue", "uriValue",
                 "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue", "uom",
                 "coordinateReferenceSystem")
NOT_HASHED = frozenset({"type", "recordTime", "eventID", "errorDeclaration", "@context"})


def event_hash(event: Mapping[str, Any], context: Mapping[str, str] | None = None) -> str:
    """The ``ni:///sha-256;…?ver=CBV2.0`` id of an EPCIS event; ``context`` names the
    document's own CURIE prefixes (``{"example": "http://ns.example.com/epcis/"}``)."""
    digest = hashlib.sha256(pre_hash(event, context).encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver=CBV2.0"


def pre_hash(event: Mapping[str, Any], context: Mapping[str, str] | None = None) -> str:
    prefixes, value = _valuer(tuple(sorted(context.items())) if context else ())
    parts = ["eventType=" + str(event["type"])]
    for key, render in _ORDER:
        if key in event and event[key] not in (None, [], {}):
            parts.append(key + _pairs(event[key], value, prefixes) if render is None
                         else render(key, event[key], value))
    rest = {k: v for k, v in event.items() if k not in _KNOWN and k not in NOT_HASHED}
    parts.append(_pairs(rest, value, prefixes))
    return "".join(parts)


Valuer = Callable[[str, Any], str]


MEMO = 65_536  # values kept per set of prefixes: a pack's URI recurs in each event naming it


@lru_cache(maxsize=16)  # one per document context; the view's own events share one
def _valuer(context: tuple[tuple[str, str], ...]) -> tuple[Mapping[str, str], Valuer]:
    """The prefixes of a context and how a value is written under them. Texts other than
    times are remembered: the same site, step and pack recur from event to event."""
    prefixes = {**NAMESPACES, **dict(context)}
    memo: dict[tuple[str, str], str] = {}

    def value(key: str, raw: Any) -> str:
        if isinstance(raw, bool):
            return "true" if raw else "false"
        if isinstance(raw, _NUMBERS):
            return _number(raw)
        text = str(raw).strip()
        if _timed(key):
            return _time(text)
        known = memo.get((key, text))
        if known is None:
            if len(memo) >= MEMO:
                memo.clear()
            known = memo[key, text] = canonical_uri(
                CBV[key](text) if key in CBV else _number_text(text), prefixes)
        return known

    return prefixes, value


_NUMBERS = (int, float, Decimal)


@lru_cache(maxsize=1024)  # asked of every value hashed; keys are field names, few
def _timed(key: str) -> bool:
    """Whether a field holds a time (written UTC to the millisecond)."""
    lowered = key.lower()
    return "time" in lowered and "offset" not in lowered


def _plain(key: str, raw: Any, value: Valuer) -> str:
    return f"{key}={value(key, raw)}"


def _epcs(key: str, raw: Any, value: Valuer) -> str:
    return key + "".join(sorted(f"epc={value('epc', e)}" for e in raw))


def _fields(names: tuple[str, ...]) -> Callable[[Mapping[str, Any], Valuer], str]:
    def render(item: Mapping[str, Any], value: Valuer) -> str:
        return "".join(f"{n}={value(n, item[n])}" for n in names if item.get(n) is not None)

    return render


def _quantities(key: str, raw: Any, value: Valuer) -> str:
    render = _fields(QUANTITY)
    return key + "".join(sorted("quantityElement" + render(q, value) for q in raw))


def _disposition(key: str, raw: Any, value: Valuer) -> str:
    return key + "".join("".join(sorted(f"{part}={value('disposition', d)}" for d in raw[part]))
                         for part in ("set", "unset") if raw.get(part))


def _place(key: str, raw: Any, value: Valuer) -> str:
    return f"{key}id={value('id', raw['id'])}"


def _typed(item_key: str, type_kind: str) -> Callable[[str, Any, Valuer], str]:
    def render(key: str, raw: Any, value: Valuer) -> str:
        items = [f"{item_key}={value(item_key, x[item_key])}"
                 + (f"type={value(type_kind, x['type'])}" if x.get("type") else "") for x in raw]
        return key + "".join(sorted(items))

    return render


def _sensors(key: str, raw: Any, value: Valuer) -> str:
    metadata, report = _fields(SENSOR_METADATA), _fields(SENSOR_REPORT)
    elements = []
    for element in raw:
        text = "sensorElement"
        if element.get("sensorMetadata"):
            text += "sensorMetadata" + metadata(element["sensorMetadata"], value)
        text += "".join(sorted("sensorReport" + report(r, value)
                               for r in element.get("sensorReport", [])))
        elements.append(text)
    return key + "".join(sorted(elements))


def _pairs(raw: Mapping[str, Any], value: Valuer, prefixes: Mapping[str, str]) -> str:
    """User-defined fields as ``{namespace}local=value``, nested ones inside their parent,
    sorted at each level."""
    out = []
    for key, item in raw.items():
        if key.startswith("@"):
            continue
        name = _expanded(key, prefixes)
        items = item if isinstance(item, list) else [item]
        for one in items:
            if isinstance(one, Mapping):
                out.append(name + _pairs(one, value, prefixes))
            else:
                out.append(f"{name}={value(key, one)}")
    return "".join(sorted(out))


def _expanded(key: str, prefixes: Mapping[str, str]) -> str:
    prefix, _, local = key.partition(":")
    if local and prefix in prefixes:
        return "{" + prefixes[prefix] + "}" + local
    return key


def _time(text: str) -> str:
    """UTC to the millisecond, the fourth decimal rounding half up."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    moment += timedelta(microseconds=500)
    if moment.year >= 1000:  # isoformat as strftime writes it, and faster
        return moment.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _number(raw: int | float | Decimal) -> str:
    number = Decimal(str(raw))
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def _number_text(text: str) -> str:
    try:
        return _number(Decimal(text)) if text and text[0] in "+-.0123456789" else text
    except InvalidOperation:
        return text


# ILMD (None) is written like the user extensions: ``{namespace}local=value`` sorted.
_ORDER: tuple[tuple[str, Callable[[str, Any, Valuer], str] | None], ...] = (
    ("eventTime", _plain), ("eventTimeZoneOffset", _plain), ("certificationInfo", _plain),
    ("parentID", _plain), ("epcList", _epcs), ("inputEPCList", _epcs), ("childEPCs", _epcs),
    ("quantityList", _quantities), ("childQuantityList", _quantities),
    ("inputQuantityList", _quantities), ("outputEPCList", _epcs),
    ("outputQuantityList", _quantities), ("action", _plain), ("transformationID", _plain),
    ("bizStep", _plain), ("disposition", _plain), ("persistentDisposition", _disposition),
    ("readPoint", _place), ("bizLocation", _place),
    ("bizTransactionList", _typed("bizTransaction", "bizTransactionType")),
    ("sourceList", _typed("source", "sourceOrDestinationType")),
    ("destinationList", _typed("destination", "sourceOrDestinationType")),
    ("sensorElementList", _sensors), ("ilmd", None),
)
_KNOWN = frozenset(k for k, _ in _ORDER)
