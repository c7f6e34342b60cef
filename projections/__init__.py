"""Read models: one package per view, each with its projection from the event log, its tables
and its queries; the queries read through the one port ``projections.port.ViewDatabase``."""
