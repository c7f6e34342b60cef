"""What ``gongxiao token create|list|revoke`` do to the configured store.

A token is made only for something that exists and is of the kind its role acts for: an
operator token scoped to an outlet would have let it list every outlet's orders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from domain.application import Gongxiao
from domain.errors import DomainError
from infra.tokens import DEFAULT_DAYS, Tokens, check_grant

SITE_KINDS = {"operator": "cold_store", "shop": "input_shop", "outlet": "outlet"}
T = TypeVar("T")


def create_token(*, role: str, scope: str | None = None, days: int = DEFAULT_DAYS) -> str:
    """Make a token in the configured store and answer it; it is shown this once only.
    ValueError says why a grant is refused."""
    check_grant(role, scope)

    def make(app: Gongxiao, tokens: Tokens) -> str:
        _check_scope(app, role, scope)
        return tokens.issue(role=role, scope=scope, days=days)

    return _on_store(make)


def list_tokens() -> list[dict[str, Any]]:
    return _on_store(lambda _, tokens: tokens.listing())


def revoke_token(token_id: str) -> bool:
    return _on_store(lambda _, tokens: tokens.revoke(token_id))


def _check_scope(app: Gongxiao, role: str, scope: str | None) -> None:
    if scope is None:
        return
    try:
        if role == "farmer":
            app.farmer(scope)
        elif role == "accountant":
            app.unit(scope)
        else:
            app.site(scope, SITE_KINDS[role])
    except DomainError as refused:
        what = {"farmer": "a registered farmer", "accountant": "an accounting unit"}.get(
            role) or f"a {SITE_KINDS[role]} site"
        raise ValueError(f"{refused.detail}: {_article(role)} {role} token acts for {what}") from refused


def _on_store(work: Callable[[Gongxiao, Tokens], T]) -> T:
    from infra.composition import Composition

    wired = Composition()
    try:
        return work(wired.app, wired.tokens)
    finally:
        wired.close()


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"
