"""The input-supply read model: each site's input stock per lot at cost, and the share of
pesticide use the co-op supplied (``projection``, ``queries``)."""

from projections.supply.projection import SupplyProjection
from projections.supply.queries import SupplyQueries

__all__ = ["SupplyProjection", "SupplyQueries"]
