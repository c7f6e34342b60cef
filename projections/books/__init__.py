"""The books read model: vouchers (记账凭证) posted from the events by ``domain.books``' rules
(``projection``), and the voucher list, ledgers and trial balance (``queries``)."""

from projections.books.projection import BooksProjection
from projections.books.queries import BooksQueries

__all__ = ["BooksProjection", "BooksQueries"]
