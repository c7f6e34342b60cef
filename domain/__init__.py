"""The co-op's domain: aggregates, their events and rules, and the use cases."""
