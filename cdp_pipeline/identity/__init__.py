"""Identity resolution: which source records are the same customer, under stable ids.

Entry points (plain functions over a warehouse connection, wrapped by Dagster assets):
- `link.link(con, cfg, run_id=None, mode="auto"|"full", charts=True) -> metrics`
- `train.retrain(con, cfg) -> Model`
- `evaluate.evaluate(con, truth_csv) -> dict`
Flow: `sql/identity/matching_input.sql` (guards) -> `session` (private in-memory DuckDB) ->
`settings` (Splink model) -> `train` (versioned model) -> `link` (score) -> `cluster` ->
`stable_ids` (customer ids and redirects) -> `explain` (metrics, charts).
Splink's own log messages are routed by `splink_logs` (training remarks at DEBUG).
"""
