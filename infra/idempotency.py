"""Idempotency-Key: the first answer to a command is kept and answered again for a repeat.

A repeat is the same key with the same command (its name and its validated fields, so
spacing or ``1.50`` against ``1.5`` do not count as a change); it answers what was answered
and records nothing. The same key with another command is refused with 409. Only recorded
commands (2xx) are kept: a refusal recorded nothing, so sending it again may succeed later.

Two copies of a command racing past ``replay`` are still safe: the use case derives its ids
from the key, so the second finds the first's aggregate, and ``keep`` keeps the first row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import ApplicationRecorder

from domain.errors import IdempotencyConflict
from infra.event_json import dumps, loads
from infra.sidetables import SideTables


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]
    replayed: bool


def fingerprint(command: str, fields: Any) -> str:
    """What identifies a command for its key: its name and its fields, canonically."""
    return hashlib.sha256(dumps({"command": command, "fields": fields}).encode()).hexdigest()


class Replies:
    """Kept answers, in the event store's own database."""

    def __init__(self, recorder: ApplicationRecorder) -> None:
        self._db = SideTables(recorder)
        self._table = self._db.name("gongxiao_replies")
        self._db.create(f"CREATE TABLE IF NOT EXISTS {self._table} ("
                        "idempotency_key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, "
                        "status INTEGER NOT NULL, body TEXT NOT NULL, kept_at TEXT NOT NULL)")

    def replay(self, *, key: str, fingerprint: str) -> Reply | None:
        """The kept answer to this key, None if there is none; 409 if it was another command."""
        rows = self._db.run(f"SELECT fingerprint, status, body FROM {self._table} "
                            "WHERE idempotency_key = %s", (key,))
        if not rows:
            return None
        if rows[0]["fingerprint"] != fingerprint:
            raise IdempotencyConflict(
                f"Idempotency-Key {key} was already used for a different request; "
                "send a new key for a new command", idempotency_key=key)
        return Reply(status=int(rows[0]["status"]), body=loads(rows[0]["body"]), replayed=True)

    def keep(self, *, key: str, fingerprint: str, status: int, body: dict[str, Any]) -> Reply:
        """Keep a first answer; if another copy kept one first, that one stands."""
        text = dumps(body)
        inserted = self._db.run(
            f"INSERT INTO {self._table} (idempotency_key, fingerprint, status, body, kept_at) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (idempotency_key) DO NOTHING "
            "RETURNING idempotency_key", (key, fingerprint, status, text,
                                          datetime.now(UTC).isoformat()))
        if inserted:
            return Reply(status=status, body=loads(text), replayed=False)
        kept = self.replay(key=key, fingerprint=fingerprint)
        assert kept is not None
        return Reply(status=kept.status, body=kept.body, replayed=False)

    def once(self, *, key: str | None, fingerprint: str,
             run: Callable[[], tuple[int, dict[str, Any]]]) -> Reply:
        """Run a command once per key: a repeat answers the kept reply and runs nothing.
        Without a key the command just runs (its own rules still make most repeats safe)."""
        if key is None:
            status, body = run()
            return Reply(status=status, body=loads(dumps(body)), replayed=False)
        earlier = self.replay(key=key, fingerprint=fingerprint)
        if earlier is not None:
            return earlier
        status, body = run()
        if 200 <= status < 300:
            return self.keep(key=key, fingerprint=fingerprint, status=status, body=body)
        return Reply(status=status, body=body, replayed=False)
