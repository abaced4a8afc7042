"""Data quality as a gate: suites kept as code, run as Dagster asset checks.

Entry points:
- `quality_checks(cfg, present=None)` (checks.py): the AssetChecksDefinitions for Definitions.
- `last_run_report(warehouse_path)` (report.py): the last run's results for `cdp quality`.
- `suite(cfg)` (suites.py): the checks, their default severity and what they measure.
Config: the `quality` section, validated in settings.py.
"""
