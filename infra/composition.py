"""The composition root: builds the application on the store the settings name."""

from __future__ import annotations

from infra.application import StoredGongxiao
from infra.settings import Settings


def build_application(settings: Settings | None = None) -> StoredGongxiao:
    settings = settings or Settings.from_env()
    return StoredGongxiao(env=settings.event_store_env())
