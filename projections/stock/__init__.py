"""The stock read model: its projection and tables (``projection``), its answers (``queries``)."""

from projections.stock.projection import StockProjection
from projections.stock.queries import StockQueries

__all__ = ["StockProjection", "StockQueries"]
