"""The standard EPCIS query (``GET /epcis/events``) over the EPCIS view.

A query is a dict of the standard parameters (values already split on ``|``): each narrows
the events; ``MATCH_*`` parameters compare identifiers in canonical form, exactly, or
match EPC patterns (``urn:epc:idpat:sgtin:CP.IR.*``; see ``vocabulary.pattern_range``).
Pages follow the view's order (the log's): a page answers its events and the ``seq`` after
which the next page starts, or None on the last page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from projections.epcis.index import canonical, vocabulary
from projections.epcis.vocabulary import PATTERN, pattern_range
from projections.port import ViewDatabase
from projections.tables import loads, us

# Which roles of ``epcis_epcs`` each MATCH_ parameter looks at (EPCIS 2.0 §8.2.7.1).
MATCH = {"MATCH_epc": ("epc", "child"), "MATCH_parentID": ("parent",),
         "MATCH_inputEPC": ("input",), "MATCH_outputEPC": ("output",),
         "MATCH_anyEPC": ("epc", "child", "parent", "input", "output"),
         "MATCH_epcClass": ("class", "child_class"),
         "MATCH_inputEPCClass": ("input_class",), "MATCH_outputEPCClass": ("output_class",),
         "MATCH_anyEPCClass": ("class", "child_class", "input_class", "output_class")}
EQUALS: dict[str, tuple[str, Callable[[str], str | None]]] = {
    "eventType": ("event_type", str), "EQ_action": ("action", str),
    "EQ_bizStep": ("biz_step", lambda w: vocabulary(w, "BizStep-")),
    "EQ_disposition": ("disposition", lambda w: vocabulary(w, "Disp-")),
    "EQ_readPoint": ("read_point", canonical), "EQ_bizLocation": ("biz_location", canonical),
    "EQ_transformationID": ("transformation_id", canonical), "EQ_eventID": ("event_id", str)}
TIMES = {"GE_eventTime": ("event_us", ">="), "LT_eventTime": ("event_us", "<"),
         "GE_recordTime": ("record_us", ">="), "LT_recordTime": ("record_us", "<")}
SUPPORTED = frozenset([*MATCH, *EQUALS, *TIMES])


@dataclass(frozen=True)
class Page:
    events: list[dict[str, Any]]
    next_after: int | None


class EpcisQueries:
    def __init__(self, db: ViewDatabase) -> None:
        self.db = db

    def events(self, query: Mapping[str, Sequence[str]], times: Mapping[str, datetime], *,
               scopes: Sequence[str] | None, per_page: int, after: int = -1) -> Page:
        """The events ``query`` selects (``times`` the GE_/LT_ bounds, parsed), of the
        ``scopes`` given (None: every event), ``per_page`` at most after ``seq`` ``after``."""
        where, params = ["e.seq > ?"], list[Any]([after])
        for name, values in query.items():
            if name in EQUALS:
                column, norm = EQUALS[name]
                where.append(f"e.{column} IN ({_marks(values)})")
                params += [norm(v) for v in values]
            elif name in MATCH:
                roles = MATCH[name]
                exact = [v for v in values if not v.startswith(PATTERN)]
                matched, matching = [], list[Any]()
                if exact:
                    matched.append(f"epc IN ({_marks(exact)})")
                    matching += [canonical(v) for v in exact]
                for pattern in (v for v in values if v.startswith(PATTERN)):
                    prefix, like = pattern_range(pattern)
                    # the range finds them by the index; LIKE says which of them match
                    matched.append("(epc >= ? AND epc < ? AND epc LIKE ?)")
                    matching += [prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1), prefix + like]
                where.append(f"e.event_id IN (SELECT event_id FROM epcis_epcs WHERE "
                             f"({' OR '.join(matched)}) AND role IN ({_marks(roles)}))")
                params += matching + list(roles)
        for name, bound in times.items():
            column, op = TIMES[name]
            where.append(f"e.{column} {op} ?")
            params.append(us(bound))
        if scopes is not None:
            where.append(f"e.event_id IN (SELECT event_id FROM epcis_scopes WHERE scope IN "
                         f"({_marks(scopes)}))")
            params += list(scopes)
        rows = self.db.fetch(f"SELECT e.seq, e.doc FROM epcis_events e WHERE {' AND '.join(where)} "
                             f"ORDER BY e.seq LIMIT ?", [*params, per_page + 1])
        more = len(rows) > per_page
        rows = rows[:per_page]
        return Page([loads(r["doc"]) for r in rows], rows[-1]["seq"] if more else None)

    def partner_events(self, uris: Sequence[str]) -> list[dict[str, Any]]:
        """What partners' captured events say of our identifiers, for the public trace: what
        was done, when and with what outcome (a lab's measurements), nothing else."""
        rows = self.db.fetch(
            "SELECT e.doc FROM epcis_events e WHERE e.origin = ? AND e.event_id IN (SELECT "
            f"event_id FROM epcis_epcs WHERE epc IN ({_marks(uris)})) ORDER BY e.seq",
            ["captured", *(canonical(u) for u in uris)])
        return [_summary(loads(r["doc"])) for r in rows]

    def event(self, event_id: str, *, scopes: Sequence[str] | None) -> dict[str, Any] | None:
        page = self.events({"EQ_eventID": [event_id]}, {}, scopes=scopes, per_page=1)
        return page.events[0] if page.events else None


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def _summary(event: dict[str, Any]) -> dict[str, Any]:
    reports = [{k: r[k] for k in ("type", "value", "uom", "chemicalSubstance", "microorganism",
                                  "stringValue", "booleanValue", "exception") if k in r}
               for element in event.get("sensorElementList") or []
               for r in element.get("sensorReport") or []]
    return {"event_type": event["type"], "biz_step": vocabulary(event.get("bizStep"), "BizStep-"),
            "disposition": vocabulary(event.get("disposition"), "Disp-"),
            "event_time": event["eventTime"], "reports": reports}
