"""Idempotency-Key: the first answer to a command is kept and answered again for a repeat.

A repeat is the same key with the same command (its name and its validated fields, so
spacing or ``1.50`` against ``1.5`` do not count as a change); it answers what was answered
and records nothing. The same key with another command is refused with 409. Only commands
answered 2xx are kept: a refusal recorded nothing, so sending it again may succeed later.

On the stores of ``infra.recorders`` the reply is written in the transaction of the command's
events, so the common case — a new key — costs no query of its own: the kept reply is looked
up only when the transaction finds the key taken, when the command recorded nothing (most
repeats end there: the use case finds the first one's aggregates) or when it was refused.
Elsewhere (the in-memory store of the tests) it is looked up first and kept after.

A key is remembered for ``GONGXIAO_REPLY_RETENTION_DAYS`` (30 by default): the scheduler's
nightly ``replies`` job forgets older replies (``Replies.forget``). After that a repeat of the
key runs its command again, as if it were new. Most use cases still answer the first one's
result and record nothing, because their ids come from the key or from a business key (an
intake scan finds its batch) — though the answer is then the aggregates' as they are now, not
the kept reply. And another command under a forgotten key is no longer refused with 409 here:
only the use case's own rules (``check_same_intake``…) stand between it and being recorded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import ApplicationRecorder

from domain.application import Gongxiao
from domain.errors import IdempotencyConflict
from infra.event_json import dumps, loads
from infra.recorders import COLUMNS, REPLIES, KeyTaken
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
        self._table = self._db.name(REPLIES)
        self._with_events = getattr(recorder, "keeps_replies", False)
        self._db.create(f"CREATE TABLE IF NOT EXISTS {self._table} ("
                        "idempotency_key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, "
                        "status INTEGER NOT NULL, body TEXT NOT NULL, kept_at TEXT NOT NULL)")
        # So forgetting the oldest replies reads just them, not every reply of the month.
        self._db.create(f"CREATE INDEX IF NOT EXISTS {REPLIES}_kept_at "
                        f"ON {self._table} (kept_at {self._db.bytewise})")

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
            f"INSERT INTO {self._table} ({COLUMNS}) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key",
            (key, fingerprint, status, text, kept_at(datetime.now(UTC))))
        if inserted:
            return Reply(status=status, body=loads(text), replayed=False)
        kept = self.replay(key=key, fingerprint=fingerprint)
        assert kept is not None
        return Reply(status=kept.status, body=kept.body, replayed=False)

    def once(self, app: Gongxiao, *, key: str | None, fingerprint: str, status: int,
             run: Callable[[], dict[str, Any]]) -> Reply:
        """Run a command once per key: a repeat answers the kept reply and records nothing.
        Without a key the command just runs (its own rules still make most repeats safe)."""
        if key is None:
            return Reply(status=status, body=loads(dumps(app.atomically(run)[0])), replayed=False)
        if not self._with_events:
            earlier = self.replay(key=key, fingerprint=fingerprint)
            if earlier is not None:
                return earlier
            return self.keep(key=key, fingerprint=fingerprint, status=status,
                             body=app.atomically(run)[0])
        texts: dict[str, str] = {}

        def reply_row(body: dict[str, Any]) -> dict[str, list[tuple[str, str, int, str, str]]]:
            texts["body"] = dumps(body)
            return {"replies": [(key, fingerprint, status, texts["body"],
                                 kept_at(datetime.now(UTC)))]}

        try:
            body, recorded = app.atomically(run, rows=reply_row)
        except KeyTaken:
            return self._kept(key=key, fingerprint=fingerprint)
        except Exception:  # refused; but a repeat of a kept command answers what was kept
            earlier = self.replay(key=key, fingerprint=fingerprint)
            if earlier is not None:
                return earlier
            raise
        if recorded:
            return Reply(status=status, body=loads(texts["body"]), replayed=False)
        return (self.replay(key=key, fingerprint=fingerprint)
                or self.keep(key=key, fingerprint=fingerprint, status=status, body=body))

    def forget(self, *, before: datetime, batch: int = 10_000) -> int:
        """Delete the replies kept before a moment, ``batch`` rows a statement so a long
        backlog holds no long transaction; answers how many were deleted."""
        moment, forgotten = kept_at(before), 0
        while True:
            deleted = self._db.delete(self._table, where=f"kept_at {self._db.bytewise} < %s",
                                      params=(moment,), limit=batch)
            forgotten += deleted
            if deleted < batch:
                return forgotten

    def _kept(self, *, key: str, fingerprint: str) -> Reply:
        kept = self.replay(key=key, fingerprint=fingerprint)
        assert kept is not None, "a taken key has its reply"
        return kept


def kept_at(moment: datetime) -> str:
    """A moment as ``kept_at`` holds it: ISO 8601 in UTC, so byte order is time order (the
    fields are fixed width, and a whole second, written without ``.000000``, sorts before
    the microseconds of that second because "+" comes before ".")."""
    if moment.tzinfo is None:
        raise ValueError("kept_at needs a moment with its time zone")
    return moment.astimezone(UTC).isoformat()
