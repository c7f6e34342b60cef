"""A place of the co-op: a village cold store, an input shop, the input company's warehouse or
a city outlet."""

from __future__ import annotations

from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, Invalid, NotFound
from domain.topics import stable_topics
from domain.values import id_for

KINDS = ("cold_store", "input_shop", "outlet", "warehouse")
DEFAULT_TIMEZONE = "Asia/Shanghai"


@stable_topics("Site")
class Site(Aggregate):
    @event("Registered")
    def __init__(self, site_id: str, name: str, kind: str, timezone: str) -> None:
        self.site_id, self.name, self.kind, self.timezone = site_id, name, kind, timezone

    @staticmethod
    def create_id(site_id: str) -> UUID:
        return id_for("site", site_id)

    @classmethod
    def register(cls, *, site_id: str, name: str, kind: str, timezone: str | None) -> Site:
        return cls(site_id=site_id, name=name, kind=check_kind(kind),
                   timezone=check_timezone(timezone))

    def correct_details(self, *, name: str, kind: str, timezone: str | None) -> None:
        if check_kind(kind) != self.kind:
            raise Conflict(f"site {self.site_id} is a {self.kind}; a site never changes kind")
        zone = check_timezone(timezone)
        if (name, zone) != (self.name, self.timezone):
            self._details_corrected(name=name, timezone=zone)

    @event("DetailsCorrected")
    def _details_corrected(self, name: str, timezone: str) -> None:
        self.name, self.timezone = name, timezone

    def check_is(self, kind: str) -> None:
        if self.kind != kind:
            raise WrongSiteKind(f"site {self.site_id} is a {self.kind}, not a {kind}")


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise Invalid(f"kind must be one of {', '.join(KINDS)}", field="kind")
    return kind


def check_timezone(timezone: str | None) -> str:
    zone = timezone or DEFAULT_TIMEZONE
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"unknown time zone {zone!r}", field="timezone") from None
    return zone


class UnknownSite(NotFound):
    def __init__(self, site_id: str) -> None:
        super().__init__(f"no site {site_id} is registered", site_id=site_id)


class WrongSiteKind(Invalid):
    pass
