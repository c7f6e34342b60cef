"""One settings object, read from the environment; nothing configured means embedded."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class Topics:
    """The three Kafka topics of API.md (tests rename them to keep to their own)."""

    events: str = "gongxiao.events"
    scans: str = "gongxiao.scans"
    rejected: str = "gongxiao.scans.rejected"


@dataclass(frozen=True)
class Limits:
    """What the API refuses to take: bodies over a size, requests over a rate. A cold-store
    gateway forwards bursts of scans under one token; a phone scanning trace QR codes has no
    token and is counted by its address (``limits`` notation, e.g. ``100/second``)."""

    max_body_bytes: int = 1_048_576
    # POST /epcis/capture: an EPCIS document of 10,000 events is 10-60 MB.
    capture_body_bytes: int = 64 * 1_048_576
    per_token: str = "6000/minute"
    per_address: str = "600/minute"
    # Presented tokens that the database did not know, per address: each cost a lookup.
    failed_auth: str = "30/minute"
    storage: str = "memory://"  # e.g. redis://host:6379 when several processes serve


@dataclass(frozen=True)
class GS1Keys:
    """The co-op's GS1 keys: with a company prefix, EPCIS ids and label QR codes are GS1
    Digital Links for the products (``sku`` or ``sku/grade`` → GTIN) and sites (→ GLN) named."""

    company_prefix: str | None = None
    gtins: Mapping[str, str] = field(default_factory=dict)
    glns: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    kafka_bootstrap: str | None
    var_dir: Path
    topics: Topics = Topics()
    limits: Limits = Limits()
    label_font: str | None = None
    public_url: str | None = None  # where buyers' phones reach the trace pages; labels' QR codes
    contact: str | None = None  # the co-op's name and telephone, on the buyer's pages
    web_workers: int = 1
    reply_retention_days: int = 30  # how long an Idempotency-Key is remembered
    token_cache_s: float = 30  # how long a process trusts what it looked up of a token
    views_stuck_s: float = 30.0  # views behind and not moving this long: /healthz answers 503
    gs1: GS1Keys = field(default_factory=lambda: GS1Keys())
    epcis_schema: str | None = None  # GS1's EPCIS-JSON-Schema.json, which capture checks against
    coop_name: str = "供销合作社"  # the issuer on certificates, named on recall notices
    coop_phone: str | None = None  # the number buyers of a recalled pack are told to call

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """Every setting of Gongxiao, read from the environment in this one place."""
        topics, limits = Topics(), Limits()
        return cls(
            database_url=env.get("GONGXIAO_DATABASE_URL") or None,
            kafka_bootstrap=env.get("GONGXIAO_KAFKA_BOOTSTRAP") or None,
            var_dir=Path(env.get("GONGXIAO_VAR_DIR", "var")),
            topics=Topics(events=env.get("GONGXIAO_KAFKA_EVENTS_TOPIC") or topics.events,
                          scans=env.get("GONGXIAO_KAFKA_SCANS_TOPIC") or topics.scans,
                          rejected=env.get("GONGXIAO_KAFKA_REJECTED_TOPIC") or topics.rejected),
            limits=Limits(max_body_bytes=int(env.get("GONGXIAO_MAX_BODY_BYTES")
                                             or limits.max_body_bytes),
                          capture_body_bytes=int(env.get("GONGXIAO_EPCIS_MAX_BODY_BYTES")
                                                 or limits.capture_body_bytes),
                          per_token=env.get("GONGXIAO_RATE_PER_TOKEN") or limits.per_token,
                          per_address=env.get("GONGXIAO_RATE_PER_ADDRESS") or limits.per_address,
                          failed_auth=env.get("GONGXIAO_RATE_FAILED_AUTH") or limits.failed_auth,
                          storage=env.get("GONGXIAO_RATE_STORAGE") or limits.storage),
            label_font=env.get("GONGXIAO_LABEL_FONT") or None,
            public_url=(env.get("GONGXIAO_PUBLIC_URL") or "").rstrip("/") or None,
            contact=env.get("GONGXIAO_CONTACT") or None,
            web_workers=int(env.get("GONGXIAO_WEB_WORKERS") or 1),
            reply_retention_days=_at_least_one(env, "GONGXIAO_REPLY_RETENTION_DAYS", 30),
            token_cache_s=float(env.get("GONGXIAO_TOKEN_CACHE_SECONDS") or 30),
            views_stuck_s=float(env.get("GONGXIAO_VIEWS_STUCK_SECONDS") or 30),
            gs1=GS1Keys(company_prefix=env.get("GONGXIAO_GS1_COMPANY_PREFIX") or None,
                        gtins=_pairs(env.get("GONGXIAO_GS1_GTINS")),
                        glns=_pairs(env.get("GONGXIAO_GS1_GLNS"))),
            epcis_schema=env.get("GONGXIAO_EPCIS_SCHEMA") or None,
            coop_name=env.get("GONGXIAO_COOP_NAME") or cls.coop_name,
            coop_phone=env.get("GONGXIAO_COOP_PHONE") or None)

    @property
    def embedded(self) -> bool:
        return self.database_url is None

    def event_store_env(self) -> dict[str, str]:
        """The eventsourcing settings of the event store these settings name."""
        if self.database_url is None:
            self.var_dir.mkdir(parents=True, exist_ok=True)
            return {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                    "APPLICATION_RECORDER_TOPIC": "infra.recorders:SQLiteRecorder",
                    "SQLITE_DBNAME": str(self.var_dir / "gongxiao.db"),
                    "SQLITE_LOCK_TIMEOUT": "10"}
        url = urlsplit(self.database_url)
        if url.scheme not in ("postgresql", "postgres"):
            raise ValueError("GONGXIAO_DATABASE_URL must be a postgresql:// URL")
        # POSTGRES_ENABLE_DB_FUNCTIONS stays off: without the table lock, readers of the
        # notification log can skip ids that a slower writer commits later.
        return {"PERSISTENCE_MODULE": "infra.recorders:PostgresStore",
                "POSTGRES_DBNAME": url.path.lstrip("/") or "gongxiao",
                "POSTGRES_HOST": url.hostname or "127.0.0.1",
                "POSTGRES_PORT": str(url.port or 5432),
                "POSTGRES_USER": unquote(url.username or "postgres"),
                "POSTGRES_PASSWORD": unquote(url.password or ""),
                "POSTGRES_POOL_SIZE": "8", "POSTGRES_MAX_OVERFLOW": "8",
                "POSTGRES_CONNECT_TIMEOUT": "2", "POSTGRES_LOCK_TIMEOUT": "10"}


def _at_least_one(env: Mapping[str, str], name: str, default: int) -> int:
    value = int(env.get(name) or default)
    if value < 1:
        raise ValueError(f"{name} must be at least 1")
    return value


def _pairs(text: str | None) -> dict[str, str]:
    """``"a=1,b=2"`` as ``{"a": "1", "b": "2"}``."""
    pairs = [p.split("=", 1) for p in (text or "").split(",") if p.strip()]
    if any(len(p) != 2 for p in pairs):
        raise ValueError(f"expected key=value pairs separated by commas, not {text!r}")
    return {k.strip(): v.strip() for k, v in pairs}
