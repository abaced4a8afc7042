"""Staging: typed, standardised, latest-version tables built from raw.* (see docs/warehouse.md)."""
