"""Golden customer records: which source value survives for each field.

Why SQL with generated sort keys: the survivorship order differs per field and comes from
the config, but the ranking itself is one set-based window over all candidates
(sql/marts/golden_customer_provenance.sql). Python only turns each field's rule list into
numeric sort keys (lower wins) and the matching "which rule decided" expression, so an
analyst can read the SQL and the config side by side.
"""

from __future__ import annotations

import duckdb

from cdp_pipeline.config import Config
from cdp_pipeline.marts.run import run_sql_files
from cdp_pipeline.marts.settings import FIELDS, survivorship_rules

# Sort keys per rule, ascending = better; a rule may need several (a tie on the first is
# decided by the next). NULL (unknown date) sorts last.
RULE_KEYS = {
    "validated": ("-CAST(validated AS INTEGER)",),
    "trust": ("-trust",),
    "most_recent": ("-epoch(seen_at)", "-epoch(loaded_at)"),  # updated_at, then load time
    "most_frequent": ("-frequency",),
}


def survivorship_sql(rules: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Placeholders of golden_customer_provenance.sql for the given rules per field."""
    keyed = {f: [(rule, key) for rule in r for key in RULE_KEYS[rule]] for f, r in rules.items()}
    depth = max(len(k) for k in keyed.values())
    keys, decide = ["CAST(bad AS INTEGER) AS k0"], []
    for i in range(depth):
        at_i = {f: k[i] for f, k in keyed.items() if len(k) > i}
        key = " ".join(f"WHEN '{f}' THEN {expr}" for f, (_, expr) in at_i.items())
        name = " ".join(f"WHEN '{f}' THEN '{rule}'" for f, (rule, _) in at_i.items())
        keys.append(f"CAST(CASE field {key} END AS DOUBLE) AS k{i + 1}")
        decide.append(f"WHEN o.k{i + 1} IS DISTINCT FROM r.k{i + 1} THEN CASE o.field {name} END")
    return {
        "sort_keys": ", ".join(keys),
        "key_order": ", ".join(["k0"] + [f"k{i + 1} ASC NULLS LAST" for i in range(depth)]),
        "deciding_rule": "\n        ".join(decide),
    }


def build_golden_customers(con: duckdb.DuckDBPyConnection, cfg: Config) -> dict:
    """(Re)build marts.golden_customer_provenance then marts.golden_customers, atomically together.

    Returns counts only (no personal data): customers, and per field how many customers have
    a value and how many had only known-bad values.
    """
    run_sql_files(con, ["marts/golden_customer_provenance.sql", "marts/golden_customers.sql"],
                  **survivorship_sql(survivorship_rules(cfg)))
    metrics: dict = {"customers": con.execute("SELECT count(*) FROM marts.golden_customers").fetchone()[0]}
    counts = {field: (filled, all_bad) for field, filled, all_bad in con.execute(
        "SELECT field, count(value_record_id), count(*) FILTER (WHERE rule = 'no_usable_value') "
        "FROM marts.golden_customer_provenance GROUP BY field").fetchall()}
    for field in FIELDS:
        metrics[f"{field}_filled"], metrics[f"{field}_only_bad_values"] = counts.get(field, (0, 0))
    return metrics
