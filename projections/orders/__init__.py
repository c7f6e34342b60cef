"""The orders read model: its projection and table (``projection``), its answers (``queries``)."""

from projections.orders.projection import OrdersProjection
from projections.orders.queries import OrderQueries

__all__ = ["OrderQueries", "OrdersProjection"]
