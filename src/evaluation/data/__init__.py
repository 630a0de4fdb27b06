"""Panel schema, demo simulator and the raw -> processed path."""
