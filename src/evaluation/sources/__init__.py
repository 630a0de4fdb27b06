"""Loaders for official sources (Kolada, SCB, spreadsheets) into the canonical long panel."""
