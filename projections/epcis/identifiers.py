"""Stable URIs for what the EPCIS events name: packs, batches, packing runs, sites, parties.

By default the co-op's own HTTP identifiers under its public address (EPCIS 2.0 allows private
HTTP URIs): ``{public}/id/pack/{code}``, ``/id/batch/{code}``, ``/id/run/{run}``,
``/id/site/{site}``, ``/id/farmer/{id}``. With a GS1 company prefix configured, GS1 Digital
Link URIs instead, wherever the product or the site has a GS1 key: a pack is
``https://id.gs1.org/01/{GTIN}/21/{code}``, a batch or a run is a lot ``/01/{GTIN}/10/{lot}``,
a site ``/414/{GLN}``. Each is built, then read back and checked with ``biip``; one that does
not fit (a lot longer than AI 10's 20 characters) keeps its HTTP identifier.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote
from uuid import UUID

from biip import ParseError
from biip.gln import Gln
from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gtin import Gtin

from domain.values import short_code

GS1 = "https://id.gs1.org"


@dataclass(frozen=True)
class Identifiers:
    public_url: str = "http://127.0.0.1:8000"
    company_prefix: str | None = None
    gtins: Mapping[str, str] = field(default_factory=dict)  # "sku" or "sku/grade" → GTIN
    glns: Mapping[str, str] = field(default_factory=dict)  # site id → GLN

    def __post_init__(self) -> None:
        for key, gtin in self.gtins.items():
            self._check_key(key, gtin, Gtin.parse, "GTIN")
        for key, gln in self.glns.items():
            self._check_key(key, gln, Gln.parse, "GLN")

    @property
    def extension_ns(self) -> str:
        """The namespace of Gongxiao's own EPCIS fields (``gx:``)."""
        return self.own("ns/epcis") + "#"

    def own(self, path: str) -> str:
        return f"{self.public_url.rstrip('/')}/{path}"

    def pack(self, code: str, *, sku: str, grade: str) -> str:
        return self._link("01", self._gtin(sku, grade), "21", code) or self._http("pack", code)

    def label_link(self, code: str, *, sku: str, grade: str | None) -> str | None:
        """What a pack's label QR carries when its product has a GTIN: its GS1 Digital Link
        on the co-op's own address (``{public}/01/{GTIN}/21/{code}``, which opens the trace
        page); None without one."""
        link = self._link("01", self._gtin(sku, grade), "21", code)
        return self.own(link.removeprefix(GS1 + "/")) if link else None

    def batch(self, code: str, *, sku: str) -> str:
        return self._link("01", self._gtin(sku, None), "10", code) or self._http("batch", code)

    def graded_lot(self, code: str, *, sku: str, grade: str) -> str:
        """The kg of one grade sorted from a batch: a lot of its own (a GTIN of that grade)."""
        gtin = self.gtins.get(f"{sku}/{grade}") if self.company_prefix else None
        return (self._link("01", gtin and _gtin_14(gtin), "10", code)
                or self._http("batch", code) + "/grade/" + quote(grade, safe=""))

    def reject(self, code: str) -> str:
        return self._http("batch", code) + "/reject"

    def run(self, run_id: str, *, sku: str, grade: str) -> str:
        lot = short_code(UUID(run_id))
        return self._link("01", self._gtin(sku, grade), "10", lot) or self._http("run", run_id)

    def site(self, site_id: str) -> str:
        gln = self.glns.get(site_id) if self.company_prefix else None
        return self._link("414", gln) or self._http("site", site_id)

    def room(self, site_id: str, room: str) -> str:
        return self._http("site", site_id) + "/room/" + quote(room, safe="")

    def farmer(self, farmer_id: str) -> str:
        return self._http("farmer", farmer_id)

    def order(self, order_id: str) -> str:
        return self._http("order", order_id)

    def shipment(self, shipment_id: str) -> str:
        return self._http("shipment", shipment_id)

    def recall(self, recall_id: str) -> str:
        return self._http("recall", recall_id)

    def certificate(self, batch_code: str) -> str:
        """Where a batch's 承诺达标合格证 is shown: its public trace page."""
        return self.own(f"t/{quote(batch_code, safe='')}")

    def input_lot(self, sku: str, lot: str) -> str:
        return self._http("input", sku) + "/lot/" + quote(lot, safe="")

    def _gtin(self, sku: str, grade: str | None) -> str | None:
        if not self.company_prefix:
            return None
        gtin = (self.gtins.get(f"{sku}/{grade}") if grade else None) or self.gtins.get(sku)
        return None if gtin is None else _gtin_14(gtin)

    def _http(self, kind: str, key: str) -> str:
        return self.own("id/" + kind + "/" + _quoted(key))

    @staticmethod
    def _link(key_ai: str, key: str | None, qualifier_ai: str | None = None,
              qualifier: str | None = None) -> str | None:
        """A Digital Link whose key ``biip`` read as valid (once per key: it is slow) and
        whose qualifier fits its AI's pattern (a lot or serial: up to 20 of its characters)."""
        if key is None or checked_link(f"/{key_ai}/{key}") is None:
            return None
        path = f"/{key_ai}/{key}"
        if qualifier_ai and qualifier is not None:
            if not _fits(qualifier_ai, qualifier):
                return None
            path += f"/{qualifier_ai}/{quote(qualifier, safe='')}"
        return GS1 + path

    def _check_key(self, key: str, number: str, parse: object, kind: str) -> None:
        try:
            parse(number)  # type: ignore[operator]
        except ParseError as e:
            raise ValueError(f"{kind} {number} of {key}: {e}") from e
        if self.company_prefix and not number.lstrip("0").startswith(
                self.company_prefix.lstrip("0")):
            raise ValueError(f"{kind} {number} of {key} is not under company prefix "
                             f"{self.company_prefix}")


@lru_cache(maxsize=4096)
def checked_link(path: str) -> str | None:
    """``https://id.gs1.org{path}`` when ``biip`` reads it as a valid GS1 Digital Link (keys
    with their check digits right, qualifiers within their AI's length and characters)."""
    uri = GS1 + path
    try:
        parsed = GS1DigitalLinkURI.parse(uri)
    except ParseError:
        return None
    if any(e.gtin_error or e.gln_error or e.sscc_error for e in parsed.element_strings):
        return None
    return uri


@lru_cache(maxsize=65_536)  # a pack's code is quoted for each event that names it
def _quoted(key: str) -> str:
    return quote(key, safe="")


@lru_cache(maxsize=64)
def _pattern(ai: str) -> re.Pattern[str]:
    return re.compile(GS1ApplicationIdentifier.extract(ai).pattern)


def _fits(ai: str, value: str) -> bool:
    return _pattern(ai).match(ai + value) is not None


@lru_cache(maxsize=1024)
def _gtin_14(gtin: str) -> str:
    return Gtin.parse(gtin).as_gtin_14()
