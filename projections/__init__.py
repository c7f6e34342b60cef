"""Read models: one module per view, each with its projection from the event log."""
