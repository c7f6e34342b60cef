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
