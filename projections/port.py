"""The one database port of the read models' queries: what they need from the views' store.

``infra.views.db.Database`` is the adapter (SQLite embedded, PostgreSQL served); a query is
written once, with ``?`` placeholders, and the adapter turns it into its dialect.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class ViewDatabase(Protocol):
    def fetch(self, text: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The rows ``text`` selects, each as a dict of its columns."""
        ...

    def one_of(self, column: str, values: list[Any]) -> tuple[str, list[Any]]:
        """``column`` is one of ``values``: an SQL condition and its parameters (on PostgreSQL
        one array, so the statement's text and plan are the same for any number of keys)."""
        ...
