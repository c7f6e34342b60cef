"""Idempotency-Key: the first answer to a command is kept and answered again for a repeat.

A key is the caller's own: the same key from two callers is two commands, each answered on
its own, and neither learns that the other used it. The caller is who the token acts for,
its role and scope (``caller_of``: ``outlet:out-a``, ``admin``), so a gateway's retries keep
their key across a new token; scans from Kafka are the caller ``scans``. The ids a use case
makes from a key (``domain.values.command_id``) are made from the caller and the key
(``command_key``), so two callers' orders under one key are two orders.

A repeat is the same caller and key with the same command (its name and its validated fields, so
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

Replies kept before keys were the caller's (``gongxiao_replies``, keyed by the key alone)
are read, not moved: while that table holds replies, a keyed command first looks there, so
a repeat of such a key answers its reply and records nothing (its use case would make new
ids, now made with the caller) and another command under it is refused, as before. They
are forgotten on the same schedule; a process started after that no longer looks (one
started before keeps looking, finding nothing, until it restarts). Past its retention a
key was never promised to be remembered, so the ids of those earlier commands, made from
the key alone, need not be made again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import ApplicationRecorder

from domain.errors import IdempotencyConflict
from infra.application import StoredGongxiao
from infra.event_json import dumps, loads
from infra.recorders import COLUMNS, REPLIES, KeyTaken, ReplyRow
from infra.sidetables import SideTables


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]
    replayed: bool


SCANS = "scans"  # the caller of the scans sent through Kafka
BEFORE_CALLERS = "gongxiao_replies"  # replies kept before keys were the caller's


def caller_of(role: str, scope: str | None) -> str:
    """The caller a token acts for, whose keys are its own."""
    return role if scope is None else f"{role}:{scope}"


def command_key(caller: str, key: str | None) -> str | None:
    """The key a use case makes its ids from: the caller's key (keys and callers hold no
    space, so no two callers' keys give the same one)."""
    return None if key is None else f"{caller} {key}"


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
                        "caller TEXT NOT NULL, idempotency_key TEXT NOT NULL, "
                        "fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL, "
                        "kept_at TEXT NOT NULL, PRIMARY KEY (caller, idempotency_key))")
        # So forgetting the oldest replies reads just them, not every reply of the month.
        self._db.create(f"CREATE INDEX IF NOT EXISTS {REPLIES}_kept_at "
                        f"ON {self._table} (kept_at {self._db.bytewise})")
        earlier = self._db.name(BEFORE_CALLERS)
        self._before_callers = earlier if self._db.has_rows(BEFORE_CALLERS) else None

    def replay(self, *, caller: str, key: str, fingerprint: str) -> Reply | None:
        """The kept answer to this caller's key, None if there is none; 409 if it was
        another command."""
        rows = self._db.run(f"SELECT fingerprint, status, body FROM {self._table} "
                            "WHERE caller = %s AND idempotency_key = %s", (caller, key))
        return _answer(rows or self._kept_before_callers(key), key=key, fingerprint=fingerprint)

    def keep(self, *, caller: str, key: str, fingerprint: str, status: int,
             body: dict[str, Any]) -> Reply:
        """Keep a first answer; if another copy kept one first, that one stands."""
        row = _row(caller, key, fingerprint, status, body)
        inserted = self._db.run(
            f"INSERT INTO {self._table} ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (caller, idempotency_key) DO NOTHING RETURNING idempotency_key", row)
        if inserted:
            return Reply(status=status, body=loads(row[4]), replayed=False)
        kept = self._kept(caller=caller, key=key, fingerprint=fingerprint)
        return Reply(status=kept.status, body=kept.body, replayed=False)

    def once(self, app: StoredGongxiao, *, caller: str, key: str | None, fingerprint: str,
             status: int, run: Callable[[], dict[str, Any]]) -> Reply:
        """Run a command once per caller and key: a repeat answers the kept reply and records
        nothing. Without a key the command just runs (its own rules still make most repeats
        safe)."""
        if key is None:
            return Reply(status=status, body=loads(dumps(app.atomically(run)[0])), replayed=False)
        if not self._with_events:
            return (self.replay(caller=caller, key=key, fingerprint=fingerprint)
                    or self.keep(caller=caller, key=key, fingerprint=fingerprint, status=status,
                                 body=app.atomically(run)[0]))
        earlier = _answer(self._kept_before_callers(key), key=key, fingerprint=fingerprint)
        if earlier is not None:
            return earlier
        rows: list[ReplyRow] = []

        def reply_row(body: dict[str, Any]) -> dict[str, list[ReplyRow]]:
            rows[:] = [_row(caller, key, fingerprint, status, body)]
            return {"replies": rows}

        try:
            body, recorded = app.atomically(run, rows=reply_row)
        except KeyTaken:
            return self._kept(caller=caller, key=key, fingerprint=fingerprint)
        except Exception:  # refused; but a repeat of a kept command answers what was kept
            earlier = self.replay(caller=caller, key=key, fingerprint=fingerprint)
            if earlier is not None:
                return earlier
            raise
        if recorded:
            return Reply(status=status, body=loads(rows[0][4]), replayed=False)
        return (self.replay(caller=caller, key=key, fingerprint=fingerprint)
                or self.keep(caller=caller, key=key, fingerprint=fingerprint, status=status,
                             body=body))

    def forget(self, *, before: datetime, batch: int = 10_000) -> int:
        """Delete the replies kept before a moment, ``batch`` rows a statement so a long
        backlog holds no long transaction; answers how many were deleted."""
        moment, forgotten = kept_at(before), 0
        for table in filter(None, (self._table, self._before_callers)):
            while True:
                deleted = self._db.delete(table, where=f"kept_at {self._db.bytewise} < %s",
                                          params=(moment,), limit=batch)
                forgotten += deleted
                if deleted < batch:
                    break
        return forgotten

    def _kept_before_callers(self, key: str) -> list[dict[str, Any]]:
        if self._before_callers is None:
            return []
        return self._db.run(f"SELECT fingerprint, status, body FROM {self._before_callers} "
                            "WHERE idempotency_key = %s", (key,))

    def _kept(self, *, caller: str, key: str, fingerprint: str) -> Reply:
        kept = self.replay(caller=caller, key=key, fingerprint=fingerprint)
        assert kept is not None, "a taken key has its reply"
        return kept


def _answer(rows: list[dict[str, Any]], *, key: str, fingerprint: str) -> Reply | None:
    if not rows:
        return None
    if rows[0]["fingerprint"] != fingerprint:
        raise IdempotencyConflict(
            f"Idempotency-Key {key} was already used for a different request; "
            "send a new key for a new command", idempotency_key=key)
    return Reply(status=int(rows[0]["status"]), body=loads(rows[0]["body"]), replayed=True)


def _row(caller: str, key: str, fingerprint: str, status: int, body: dict[str, Any]) -> ReplyRow:
    """A kept reply as its table holds it (``COLUMNS``)."""
    return (caller, key, fingerprint, status, dumps(body), kept_at(datetime.now(UTC)))


def kept_at(moment: datetime) -> str:
    """A moment as ``kept_at`` holds it: ISO 8601 in UTC, so byte order is time order (the
    fields are fixed width, and a whole second, written without ``.000000``, sorts before
    the microseconds of that second because "+" comes before ".")."""
    if moment.tzinfo is None:
        raise ValueError("kept_at needs a moment with its time zone")
    return moment.astimezone(UTC).isoformat()
