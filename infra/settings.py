"""One settings object, read from the environment; nothing configured means embedded."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    kafka_bootstrap: str | None
    var_dir: Path

    @classmethod
    def from_env(cls) -> Settings:
        return cls(database_url=os.environ.get("GONGXIAO_DATABASE_URL") or None,
                   kafka_bootstrap=os.environ.get("GONGXIAO_KAFKA_BOOTSTRAP") or None,
                   var_dir=Path(os.environ.get("GONGXIAO_VAR_DIR", "var")))

    @property
    def embedded(self) -> bool:
        return self.database_url is None

    def event_store_env(self) -> dict[str, str]:
        """The eventsourcing settings of the event store these settings name."""
        if self.database_url is None:
            self.var_dir.mkdir(parents=True, exist_ok=True)
            return {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                    "SQLITE_DBNAME": str(self.var_dir / "gongxiao.db"),
                    "SQLITE_LOCK_TIMEOUT": "10"}
        url = urlsplit(self.database_url)
        if url.scheme not in ("postgresql", "postgres"):
            raise ValueError("GONGXIAO_DATABASE_URL must be a postgresql:// URL")
        # POSTGRES_ENABLE_DB_FUNCTIONS stays off: without the table lock, readers of the
        # notification log can skip ids that a slower writer commits later.
        return {"PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": url.path.lstrip("/") or "gongxiao",
                "POSTGRES_HOST": url.hostname or "127.0.0.1",
                "POSTGRES_PORT": str(url.port or 5432),
                "POSTGRES_USER": unquote(url.username or "postgres"),
                "POSTGRES_PASSWORD": unquote(url.password or ""),
                "POSTGRES_POOL_SIZE": "8", "POSTGRES_MAX_OVERFLOW": "8",
                "POSTGRES_CONNECT_TIMEOUT": "10", "POSTGRES_LOCK_TIMEOUT": "10"}
