"""What the catch-up benchmarks share: a fresh PostgreSQL database holding a bulk-loaded log,
the views over it (none caught up), and the raw rate of reading and decoding that log — the
same-run baseline of every catch-up figure."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench._bulk import Loader, load
from bench._db import fresh_database, server_url
from infra.settings import Settings
from infra.views import ReadModels, build_views


@dataclass(frozen=True)
class BulkLog:
    url: str
    var: str
    settings: Settings
    env: dict[str, str]
    events: int  # how many events the log holds
    app: Loader
    views: ReadModels

    def read_rate(self) -> float:
        """Events per second read and decoded from the notification log, start to end."""
        return self.events / timed(lambda: read_all(self.app))


@contextmanager
def bulk_log(bench: str, quick: bool, *, minutes: int = 10) -> Iterator[BulkLog]:
    """A database of its own with ≥ 1,000,000 events (quick: 20,000), one cycle every
    ``minutes``; dropped afterwards."""
    with fresh_database(server_url(bench), bench) as url, tempfile.TemporaryDirectory() as var:
        settings = Settings(database_url=url, kafka_bootstrap=None, var_dir=Path(var))
        env = settings.event_store_env()
        events = load(env, 20_000 if quick else 1_000_000, minutes=minutes)
        app = Loader(env=env)
        views = build_views(settings)
        try:
            yield BulkLog(url=url, var=var, settings=settings, env=env, events=events, app=app,
                          views=views)
        finally:
            views.close()
            app.close()


def read_all(app: Loader) -> None:
    position = 0
    while notes := app.recorder.select_notifications(start=position, limit=2000,
                                                     inclusive_of_start=False):
        for note in notes:
            app.mapper.to_domain_event(note)
        position = notes[-1].id


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started
