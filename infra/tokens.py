"""API tokens: who may call what. Only a token's SHA-256 is stored, never the token.

A token is 256 random bits, so a fast hash is enough: nobody can guess one to try against
the hashes. Roles and scopes are those of API.md: ``admin`` everything; ``operator``,
``shop`` and ``outlet`` one site; ``farmer`` one farmer.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from eventsourcing.persistence import ApplicationRecorder

from infra.problems import Problem
from infra.sidetables import SideTables

ROLES = ("admin", "operator", "shop", "outlet", "farmer")
PREFIX = "gx_"
SCOPE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def create_token(*, role: str, scope: str | None = None) -> str:
    """Make a token in the configured store and answer it; it is shown this once only."""
    from infra.composition import build_application

    app = build_application()
    try:
        return Tokens(app.recorder).issue(role=role, scope=scope)
    finally:
        app.close()


@dataclass(frozen=True)
class Principal:
    """Who a token speaks for."""

    role: str
    scope: str | None

    def allow(self, *roles: str, scope: str | None = None) -> Principal:
        """Pass admins, and the named roles when the scope (if one is at stake) is theirs;
        anyone else is refused with 403."""
        if self.role == "admin":
            return self
        if self.role not in roles:
            raise Problem(403, f"a {self.role} token may not do this", slug="forbidden-role")
        if scope is not None and scope != self.scope:
            raise Problem(403, f"this {self.role} token acts for {self.scope}, not {scope}",
                          slug="forbidden-scope")
        return self


class Tokens:
    def __init__(self, recorder: ApplicationRecorder) -> None:
        self._db = SideTables(recorder)
        self._table = self._db.name("gongxiao_tokens")
        self._db.create(f"CREATE TABLE IF NOT EXISTS {self._table} ("
                        "token_sha256 TEXT PRIMARY KEY, role TEXT NOT NULL, scope TEXT, "
                        "created_at TEXT NOT NULL)")
        self._known: dict[str, Principal] = {}

    def issue(self, *, role: str, scope: str | None = None) -> str:
        check_grant(role, scope)
        token = PREFIX + secrets.token_urlsafe(32)
        self._db.run(f"INSERT INTO {self._table} (token_sha256, role, scope, created_at) "
                     "VALUES (%s, %s, %s, %s)",
                     (_digest(token), role, scope, datetime.now(UTC).isoformat()))
        return token

    def remembered(self, token: str) -> Principal | None:
        """Who a token speaks for if this process met it before; no database query."""
        return self._known.get(_digest(token))

    def principal(self, token: str) -> Principal | None:
        """Who a presented token speaks for, or None for a token never issued."""
        if not token.startswith(PREFIX) or len(token) > 100:
            return None
        digest = _digest(token)
        known = self._known.get(digest)
        if known is None:
            rows = self._db.run(f"SELECT role, scope FROM {self._table} WHERE token_sha256 = %s",
                                (digest,))
            if not rows:
                return None
            known = self._known[digest] = Principal(role=rows[0]["role"], scope=rows[0]["scope"])
        return known


def check_grant(role: str, scope: str | None) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if role == "admin":
        if scope is not None:
            raise ValueError("an admin token has no scope: it acts for the whole co-op")
        return
    if scope is None or not SCOPE.match(scope):
        what = "farmer id" if role == "farmer" else "site id"
        raise ValueError(f"a {role} token needs --scope, the {what} it acts for")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
