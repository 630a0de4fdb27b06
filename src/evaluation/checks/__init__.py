"""Robustness checks: each returns a small record the report and the verdict consume."""
