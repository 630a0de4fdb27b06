"""Evaluate whether a local reform changed anything, net of the national development."""

__version__ = "0.1.0"
