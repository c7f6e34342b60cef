"""The traceability read model: its tables (``tables``), its projection (``projection``) and
its answers — a trace backward (``queries``), a recall forward (``recall``), cold-room checks
(``coldchain``)."""

from projections.trace.coldchain import ColdChainQueries
from projections.trace.projection import TraceProjection
from projections.trace.queries import TraceQueries

__all__ = ["ColdChainQueries", "TraceProjection", "TraceQueries"]
