"""API tokens: who may call what. Only a token's SHA-256 is stored, never the token.

A token is 256 random bits, so a fast hash is enough: nobody can guess one to try against
the hashes. Roles and scopes are those of API.md: ``admin`` everything; ``operator``,
``shop`` and ``outlet`` one site; ``farmer`` one farmer. A token expires (365 days after it
is made unless told otherwise) and can be revoked; its id (the first 12 hex digits of its
hash) names it in ``gongxiao token list`` and ``revoke`` without revealing it.

Each process remembers what it looked up for ``cache_s`` seconds (default 30): a revoke made
by another process is honoured here within that time, and a made-up token costs at most one
lookup per ``cache_s`` however often it is presented.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from eventsourcing.persistence import ApplicationRecorder

from infra.problems import Forbidden
from infra.recent import Recent
from infra.sidetables import SideTables

ROLES = ("admin", "operator", "shop", "outlet", "farmer", "accountant")
PREFIX = "gx_"
SCOPE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DEFAULT_DAYS = 365
MAX_DAYS = 3650
# RFC 9110: the scheme is case-insensitive and 1*SP separates it from the credentials; a
# token is PREFIX and 32 random bytes in URL-safe base64 (43 characters), nothing else.
_SHAPE = PREFIX + "[A-Za-z0-9_-]{43}"
_TOKEN = re.compile(_SHAPE)
_BEARER = re.compile(f"bearer +({_SHAPE}) *", re.IGNORECASE)
_ID = re.compile(r"^[0-9a-f]{12}$")


def bearer_token(authorization: str) -> str | None:
    """The token of an ``Authorization`` header, or None when it cannot be one of ours:
    such a header is refused without a lookup."""
    found = _BEARER.fullmatch(authorization)
    return found.group(1) if found else None


@dataclass(frozen=True)
class Principal:
    """Who a token speaks for, and the token's id (what its requests are counted by)."""

    role: str
    scope: str | None
    token_id: str | None = None

    def allow(self, *roles: str, scope: str | None = None) -> Principal:
        """Pass admins, and the named roles when the scope (if one is at stake) is theirs;
        anyone else is refused with 403."""
        if self.role == "admin":
            return self
        if self.role not in roles:
            raise Forbidden(f"a {self.role} token may not do this", slug="forbidden-role")
        if scope is not None and scope != self.scope:
            raise Forbidden(f"this {self.role} token acts for {self.scope}, not {scope}",
                            slug="forbidden-scope")
        return self


class Tokens:
    def __init__(self, recorder: ApplicationRecorder, *, cache_s: float = 30,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._db, self._clock = SideTables(recorder), clock
        self._table = self._db.name("gongxiao_tokens")
        self._db.create(f"CREATE TABLE IF NOT EXISTS {self._table} ("
                        "token_sha256 TEXT PRIMARY KEY, role TEXT NOT NULL, scope TEXT, "
                        "created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT)")
        _migrate(self._db, "gongxiao_tokens")
        self._known: Recent[tuple[Principal, datetime]] = Recent(size=10_000, ttl_s=cache_s)
        self._refused: Recent[bool] = Recent(size=1_000, ttl_s=cache_s)

    def issue(self, *, role: str, scope: str | None = None, days: int = DEFAULT_DAYS) -> str:
        check_grant(role, scope)
        if not 1 <= days <= MAX_DAYS:
            raise ValueError(f"a token lasts 1 to {MAX_DAYS} days, not {days}")
        token = PREFIX + secrets.token_urlsafe(32)
        now = self._clock()
        self._db.run(f"INSERT INTO {self._table} (token_sha256, role, scope, created_at, expires_at) "
                     "VALUES (%s, %s, %s, %s, %s)", (_digest(token), role, scope, now.isoformat(),
                                                     (now + timedelta(days=days)).isoformat()))
        return token

    def listing(self) -> list[dict[str, Any]]:
        """Every token ever made, oldest first: id, role, scope and its dates; no secret."""
        rows = self._db.run(f"SELECT token_sha256, role, scope, created_at, expires_at, revoked_at "
                            f"FROM {self._table} ORDER BY created_at")
        return [{"id": token_id(row.pop("token_sha256")), **row} for row in rows]

    def revoke(self, token_id: str) -> bool:
        """Revoke the token of that id from now on; False when there is no such token."""
        if not _ID.match(token_id):
            return False
        self._db.change(f"UPDATE {self._table} SET revoked_at = %s "
                        "WHERE substr(token_sha256, 1, 12) = %s AND revoked_at IS NULL",
                        (self._clock().isoformat(), token_id))
        return bool(self._db.run(f"SELECT 1 AS found FROM {self._table} "
                                 "WHERE substr(token_sha256, 1, 12) = %s", (token_id,)))

    def remembered(self, token: str) -> Principal | None:
        """Who a token speaks for if this process looked it up lately; no database query."""
        known = self._known.get(_digest(token))
        return known[0] if known is not None and self._clock() < known[1] else None

    def refused_lately(self, token: str) -> bool:
        """True when this process looked the token up lately and refused it."""
        return self._refused.get(_digest(token)) is not None

    def principal(self, token: str) -> Principal | None:
        """Who a presented token speaks for, or None for a token never issued, expired or
        revoked (a revoke elsewhere is seen within ``cache_s``)."""
        if not _TOKEN.fullmatch(token):
            return None
        remembered = self.remembered(token)
        if remembered is not None or self.refused_lately(token):
            return remembered
        digest = _digest(token)
        rows = self._db.run(f"SELECT role, scope, expires_at FROM {self._table} "
                            "WHERE token_sha256 = %s AND revoked_at IS NULL", (digest,))
        expires = datetime.fromisoformat(rows[0]["expires_at"]) if rows else None
        if expires is None or expires <= self._clock():
            self._refused.put(digest, True)
            return None
        found = Principal(role=rows[0]["role"], scope=rows[0]["scope"], token_id=token_id(digest))
        self._known.put(digest, (found, expires))
        return found


def check_grant(role: str, scope: str | None) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if role == "admin":
        if scope is not None:
            raise ValueError("an admin token has no scope: it acts for the whole co-op")
        return
    if scope is None or not SCOPE.match(scope):
        what = {"farmer": "farmer id", "accountant": "accounting unit id"}.get(role, "site id")
        raise ValueError(f"a {role} token needs --scope, the {what} it acts for")


def token_id(digest: str) -> str:
    return digest[:12]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _migrate(db: SideTables, bare: str) -> None:
    """Tokens made before expiry existed (no ``expires_at``) expire DEFAULT_DAYS after they
    were made, as a token made today does by default: none lives for ever, none stops at
    the upgrade."""
    db.add_column(bare, "expires_at", "TEXT")
    db.add_column(bare, "revoked_at", "TEXT")
    table = db.name(bare)
    for row in db.run(f"SELECT token_sha256, created_at FROM {table} WHERE expires_at IS NULL"):
        expires = datetime.fromisoformat(row["created_at"]) + timedelta(days=DEFAULT_DAYS)
        db.change(f"UPDATE {table} SET expires_at = %s WHERE token_sha256 = %s AND expires_at IS NULL",
                  (expires.isoformat(), row["token_sha256"]))
