"""CBV 2.0 words and GS1 identifiers in their canonical form (what the event hash compares):
bare CBV words and ``urn:epcglobal:cbv`` URNs as ``https://ref.gs1.org/cbv/…`` Web URIs,
CURIEs expanded, EPC URNs and Digital Link URIs as constrained canonical Digital Links."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit

from biip.checksums import gs1_standard_check_digit

CBV_URI = "https://ref.gs1.org/cbv/"
GS1_VOC = "https://gs1.org/voc/"
NAMESPACES = {"gs1": GS1_VOC, "cbv": CBV_URI, "epcis": "https://ref.gs1.org/epcis/",
              "cbvmda": "urn:epcglobal:cbv:mda:"}
_URN_WORDS = {"urn:epcglobal:cbv:bizstep:": "BizStep-", "urn:epcglobal:cbv:disp:": "Disp-",
              "urn:epcglobal:cbv:btt:": "BTT-", "urn:epcglobal:cbv:sdt:": "SDT-",
              "urn:epcglobal:cbv:er:": "ER-"}
# The most fine-grained identification a constrained Digital Link keeps (CBV 2.0 §8.9).
_KEYS = {"00": (), "01": ("21", "10", "235"), "253": (), "255": (), "401": (), "402": (),
         "414": ("254",), "417": (), "8003": (), "8004": (), "8006": ("21", "10"),
         "8010": ("8011",), "8017": (), "8018": ()}


def _word(kind: str) -> Callable[[str], str]:
    return lambda text: CBV_URI + kind + text if text and ":" not in text else text


CBV: dict[str, Callable[[str], str]] = {
    "bizStep": _word("BizStep-"), "disposition": _word("Disp-"),
    "bizTransactionType": _word("BTT-"), "sourceOrDestinationType": _word("SDT-"),
    "reason": _word("ER-"),
    "type": lambda text: GS1_VOC + text if text and ":" not in text else text,
}


def canonical_uri(text: str, prefixes: Mapping[str, str] = NAMESPACES) -> str:
    known = _canonical(text)
    if known is not None:
        return known
    prefix, colon, local = text.partition(":")
    if colon and prefix in prefixes:
        return prefixes[prefix] + local
    return text


# An event's hash and its index row canonicalise each identifier it names, and a pack's is
# named again by its shipping, delivery and sale: recent answers are kept (a tenth of the
# EPCIS view's catch-up was spent here, most of it on the same URIs; a pack's sale comes
# tens of thousands of identifiers after its packing when many outlets sell at once).
@lru_cache(maxsize=65_536)
def _canonical(text: str) -> str | None:
    """The canonical form of a URN or URI; None for a text that may be a CURIE (whose
    expansion depends on the document's prefixes)."""
    for urn, kind in _URN_WORDS.items():
        if text.startswith(urn):
            return CBV_URI + kind + text[len(urn):]
    if text.startswith("urn:epc:"):
        return epc_urn_as_link(text) or text
    if text.startswith(("https://", "http://")):
        return constrained_link(text) or text
    return None


def constrained_link(uri: str) -> str | None:
    """A GS1 Digital Link on ``id.gs1.org`` with its finest key only, no query; None for a URI
    that is no Digital Link (our own HTTP identifiers stay as they are). Read by its path's
    AI / value pairs from the first primary key on (a custom domain may have a path before)."""
    segments = urlsplit(uri).path.split("/")
    start = next((i for i, s in enumerate(segments) if s in _KEYS and i + 1 < len(segments)
                  and segments[i + 1]), None)
    if start is None:
        return None
    pairs = segments[start:]
    if len(pairs) % 2 or not all(ai.isdigit() for ai in pairs[::2]):
        return None
    values = dict(zip(pairs[::2], pairs[1::2], strict=True))
    key = pairs[0]
    main = values[key].zfill(14) if key == "01" else values[key]
    path = f"/{key}/{_escape(main)}"
    qualifier = next((q for q in _KEYS[key] if q in values), None)
    if qualifier:
        path += f"/{qualifier}/{_escape(values[qualifier])}"
    return "https://id.gs1.org" + path


def epc_urn_as_link(urn: str) -> str | None:
    """The canonical Digital Link of an EPC (pure identity, class or pattern) URN; None for a
    scheme Gongxiao does not convert."""
    parts = urn.split(":")
    if len(parts) != 5:
        return None
    scheme, fields = parts[3], parts[4].split(".")
    converter = _SCHEMES.get((parts[2], scheme))
    return converter(fields) if converter and len(fields) >= 2 else None


def _gtin(company: str, item: str) -> str:
    body = (item[:1] + company + item[1:]).rjust(13, "0")
    return body + str(gs1_standard_check_digit(body))


def _check(digits: str, width: int) -> str:
    body = digits.rjust(width - 1, "0")
    return body + str(gs1_standard_check_digit(body))


def _escape(value: str) -> str:
    return quote(unquote(value), safe="!'()*+,-.:;=_")


def _sgtin(f: list[str]) -> str | None:
    return f"https://id.gs1.org/01/{_gtin(f[0], f[1])}/21/{_escape(f[2])}" if len(f) == 3 else None


def _lgtin(f: list[str]) -> str | None:
    return f"https://id.gs1.org/01/{_gtin(f[0], f[1])}/10/{_escape(f[2])}" if len(f) == 3 else None


def _pattern(f: list[str]) -> str | None:
    return f"https://id.gs1.org/01/{_gtin(f[0], f[1])}" if len(f) == 3 and f[2] == "*" else None


def _sscc(f: list[str]) -> str:
    return f"https://id.gs1.org/00/{_check(f[1][:1] + f[0] + f[1][1:], 18)}"


def _sgln(f: list[str]) -> str | None:
    if len(f) != 3:
        return None
    gln = _check(f[0] + f[1], 13)
    return f"https://id.gs1.org/414/{gln}" + ("" if f[2] == "0" else f"/254/{_escape(f[2])}")


def _pgln(f: list[str]) -> str:
    return f"https://id.gs1.org/417/{_check(f[0] + f[1], 13)}"


def _grai(f: list[str]) -> str | None:
    return (f"https://id.gs1.org/8003/0{_check(f[0] + f[1], 13)}{_escape(f[2])}"
            if len(f) == 3 else None)


def _giai(f: list[str]) -> str:
    return f"https://id.gs1.org/8004/{f[0]}{_escape(f[1])}"


_SCHEMES: dict[tuple[str, str], Callable[[list[str]], str | None]] = {
    ("id", "sgtin"): _sgtin, ("class", "lgtin"): _lgtin, ("idpat", "sgtin"): _pattern,
    ("id", "sscc"): _sscc, ("id", "sgln"): _sgln, ("id", "pgln"): _pgln,
    ("id", "grai"): _grai, ("id", "giai"): _giai,
}


PATTERN = "urn:epc:idpat:"


class NotAPattern(ValueError):
    """An ``urn:epc:idpat:`` value Gongxiao cannot match."""


def pattern_range(pattern: str) -> tuple[str, str]:
    """An EPC pattern URI (Tag Data Standard ``urn:epc:idpat:…``, EPCIS 2.0 §8.2.7.1.1) as
    the canonical Digital Links it matches: the prefix they all start with and a SQL ``LIKE``
    that says which of those match (digits of a key only the pattern fixes).

    ``sgtin:CP.IR.*`` every serial of a GTIN (and, for classes, the GTIN and its lots),
    ``sgtin:CP.*.*`` every GTIN of a company prefix, ``sgtin:*.*.*`` every GTIN; likewise
    ``sscc:CP.*`` / ``sscc:*.*`` and ``sgln:CP.LR.*`` / ``sgln:CP.*.*`` / ``sgln:*.*.*``.
    Keys are compared on their digits: a GTIN whose digits after the indicator begin with the
    company prefix is taken as that company's (a Digital Link does not say where the prefix
    ends). Other schemes and ranges (``[lo-hi]``) raise ``NotAPattern``."""
    scheme, _, rest = pattern.removeprefix(PATTERN).partition(":")
    fields = rest.split(".")
    shape = {"sgtin": 3, "sscc": 2, "sgln": 3}.get(scheme)
    if shape is None or len(fields) != shape:
        raise NotAPattern(f"{pattern}: patterns of sgtin (CP.IR.*), sscc (CP.*) and sgln "
                          "(CP.LR.*) are matched, with * for whole trailing fields")
    stars = [f == "*" for f in fields]
    if not stars[-1] or stars != sorted(stars) or not all(f.isdigit() for f, s in
                                                          zip(fields, stars, strict=True) if not s):
        raise NotAPattern(f"{pattern}: each field is digits or *, and every field after a * is *")
    fixed = [f for f, s in zip(fields, stars, strict=True) if not s]
    if scheme == "sgtin":
        base = "https://id.gs1.org/01/"
        if len(fixed) == 2:
            if len(fixed[0]) + len(fixed[1]) != 13:
                raise NotAPattern(f"{pattern}: company prefix and item reference are 13 digits")
            return base + _gtin(fixed[0], fixed[1]), "%"
        return base, ("_" + fixed[0] + "%") if fixed else "%"
    if scheme == "sscc":
        return "https://id.gs1.org/00/", ("_" + fixed[0] + "%") if fixed else "%"
    base = "https://id.gs1.org/414/"
    if len(fixed) == 2:
        if len(fixed[0]) + len(fixed[1]) != 12:
            raise NotAPattern(f"{pattern}: company prefix and location reference are 12 digits")
        return base + _check(fixed[0] + fixed[1], 13), "%"
    return base, (fixed[0] + "%") if fixed else "%"
