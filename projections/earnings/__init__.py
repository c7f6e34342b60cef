"""The earnings read model: its projection and tables (``projection``), its answers (``queries``)."""

from projections.earnings.projection import EarningsProjection
from projections.earnings.queries import EarningsQueries

__all__ = ["EarningsProjection", "EarningsQueries"]
