"""The EPCIS 2.0 read model: the mapping of domain events to EPCIS events (``mapping``), their
identifiers (``identifiers``) and event hash (``hashing``), the view (``projection``) and the
standard query over it (``queries``)."""

from projections.epcis.identifiers import Identifiers
from projections.epcis.projection import EpcisProjection

__all__ = ["EpcisProjection", "Identifiers"]
