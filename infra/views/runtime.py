"""The projection runner in a background thread of another process (``gongxiao serve``).

On PostgreSQL the thread sleeps on LISTEN for the channel the event store NOTIFYs on every
insert, and once woken gathers what else is written in the next ``GATHER`` seconds; on SQLite,
which has no such thing, the application's in-process bus wakes it after every save made in
this process, it polls for saves made by others, and ``catch_up`` wakes it at once. A LISTEN
connection that is lost (the server restarted) leaves the runner polling until a new one
listens again, at the next wait.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import psycopg

from infra.settings import Settings
from infra.views import ReadModels
from infra.views.db import PostgresDatabase
from infra.views.runner import Lag, ProjectionRunner

log = logging.getLogger(__name__)
IDLE = 0.25
GATHER = 0.05  # seconds the runner waits, once woken, for more events to project together


class RunningProjections:
    """Handle of the background runner: ``lag()`` for /metrics, ``stop()`` at shutdown."""

    def __init__(self, runner: ProjectionRunner, views: ReadModels, app: Any) -> None:
        self.runner, self.views, self.app = runner, views, app
        self.stopping, self.wake = threading.Event(), threading.Event()
        self.listener: _Listener | None = None
        self.thread = threading.Thread(target=self._run, name="projections", daemon=True)

    def lag(self) -> dict[str, Lag]:
        return self.runner.lag()

    def catch_up(self, timeout: float = 10.0) -> bool:
        """Wait until the views include every event stored before this call (read-your-writes
        for a caller that just wrote); answers False if that took longer than ``timeout``."""
        head = self.app.recorder.max_notification_id() or 0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if min(self.views.store.positions(self.views.names).values()) >= head:
                return True
            self.wake.set()
            time.sleep(0.01)
        return False

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        self.wake.set()
        self.thread.join(timeout)
        if self.listener is not None:
            self.listener.close()

    def _run(self) -> None:
        self.runner.run(self.stopping, idle=IDLE)
        log.info("projection runner stopped")


def start_in_background(app: Any, views: ReadModels, settings: Settings | None = None) -> RunningProjections:
    """Start following the log in a daemon thread; call from the FastAPI lifespan."""
    running: RunningProjections
    listen = _listener(views, app)

    def wait(seconds: float) -> None:
        if listen is None or not listen(seconds):
            running.wake.wait(seconds)
        running.wake.clear()

    running = RunningProjections(views.runner(app, wait=wait), views, app)
    running.listener = listen
    if listen is None and hasattr(app, "subscribe"):
        app.subscribe(running.wake.set)  # saves in this process wake the runner at once
    running.thread.start()
    return running


def _listener(views: ReadModels, app: Any) -> _Listener | None:
    channel = getattr(app.recorder, "channel_name", None)
    if not isinstance(views.db, PostgresDatabase) or channel is None:
        return None
    return _Listener(views.db, channel)


class _Listener:
    """Waits for the event store's NOTIFY; answers False when it could not listen (the
    caller then sleeps instead: polling), and connects anew at the next wait."""

    def __init__(self, db: PostgresDatabase, channel: str) -> None:
        self.db, self.channel = db, channel
        self.conn: psycopg.Connection[Any] | None = None

    def __call__(self, seconds: float) -> bool:
        try:
            conn = self.conn or self._listen()
            woken = False
            for _ in conn.notifies(timeout=seconds, stop_after=1):
                woken = True
            if woken:
                # Under load the log grows by many small commits: gather a moment's worth, so
                # one projection batch covers them instead of a transaction per commit.
                for _ in conn.notifies(timeout=GATHER):
                    pass
            return True
        except psycopg.Error as error:
            if self.conn is not None:
                log.warning("the views' LISTEN connection is lost (%r): polling until it is "
                            "back", error)
                self.close()
            return False

    def _listen(self) -> psycopg.Connection[Any]:
        conn = self.db.writer("listen")
        try:
            conn.execute(psycopg.sql.SQL("LISTEN {}").format(psycopg.sql.Identifier(self.channel)))
        except psycopg.Error:
            conn.close()
            raise
        self.conn = conn
        log.info("the views listen for new events on %s", self.channel)
        return conn

    def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            conn.close()
