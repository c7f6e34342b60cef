"""The composition root: builds the application on the store the settings name."""

from __future__ import annotations

from domain.application import Gongxiao
from infra.settings import Settings


def build_application(settings: Settings | None = None) -> Gongxiao:
    settings = settings or Settings.from_env()
    return Gongxiao(env=settings.event_store_env())
