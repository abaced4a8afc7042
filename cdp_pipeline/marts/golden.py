"""Golden customer records: which source value survives for each field.

Why SQL with generated sort keys: the survivorship order differs per field and comes from
the config, but the ranking itself is one set-based window over all candidates
(sql/marts/golden_customer_provenance.sql). Python only turns each field's rule list into
numeric sort keys (lower wins) and the matching "which rule decided" expression, so an
analyst can read the SQL and the config side by side.

Why incremental: a night changes a few percent of the customers, and recomputing every
golden record was the largest fixed cost of a nightly run at a million persons. Each record's
inputs are hashed (sql/marts/golden_basis.sql); only the customers whose records changed, moved
or vanished are recomputed (sql/marts/golden_scope.sql), by the same SQL a full build runs. A
change of the survivorship rules or of the SQL rebuilds everything.
"""

from __future__ import annotations

import hashlib

import duckdb

from cdp_pipeline.config import Config
from cdp_pipeline.marts.settings import FIELDS, survivorship_rules
from cdp_pipeline.staging.build import record_build, recorded_fingerprint
from cdp_pipeline.warehouse import render_sql, table_exists, transaction

# Written together from the same customers' records, in this order (golden_customers reads the
# provenance just written).
GOLDEN_TABLES = ("golden_customer_provenance", "golden_customers", "customer_identifiers")
# Above this share of the customers to recompute, rewriting the tables whole is cheaper.
FULL_BUILD_SHARE = 0.3

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
    """Write marts.golden_customer_provenance, golden_customers and customer_identifiers, atomically
    together: whole on a first build or after a rule or SQL change, else for the changed customers.

    Returns counts only (no personal data): customers, customers recomputed, whether the build
    was full, and per field how many customers have a value and how many had only known-bad values.
    """
    params = survivorship_sql(survivorship_rules(cfg))
    full_sql = {t: render_sql(f"marts/{t}.sql", target=f"TABLE marts.{t}", **params) for t in GOLDEN_TABLES}
    fingerprint = hashlib.sha256("\n".join(full_sql.values()).encode()).hexdigest()[:16]
    with transaction(con):
        con.execute(render_sql("marts/golden_basis.sql"))
        full = not _incremental_possible(con, fingerprint)
        if not full:
            con.execute(render_sql("marts/golden_scope.sql"))
            full = _scope_share(con) > FULL_BUILD_SHARE
        if full:
            con.execute("CREATE OR REPLACE TEMP TABLE _golden_scope AS SELECT DISTINCT customer_id FROM _golden_basis")
        recomputed = con.execute("SELECT count(*) FROM _golden_scope").fetchone()[0]
        for table, sql in full_sql.items():
            if full:
                con.execute(sql)
            else:
                _replace_scoped_rows(con, table, **params)
        con.execute(render_sql("marts/golden_basis_save.sql"))
        record_build(con, "marts.golden_customers", fingerprint, None)
    metrics: dict = {"customers": con.execute("SELECT count(*) FROM marts.golden_customers").fetchone()[0],
                     "customers_recomputed": recomputed, "full_build": full}
    counts = {field: (filled, all_bad) for field, filled, all_bad in con.execute(
        "SELECT field, count(value_record_id), count(*) FILTER (WHERE rule = 'no_usable_value') "
        "FROM marts.golden_customer_provenance GROUP BY field").fetchall()}
    for field in FIELDS:
        metrics[f"{field}_filled"], metrics[f"{field}_only_bad_values"] = counts.get(field, (0, 0))
    return metrics


def _incremental_possible(con: duckdb.DuckDBPyConnection, fingerprint: str) -> bool:
    """The last build left its basis and tables, with the same rules and SQL."""
    tables = ["marts.golden_basis", *(f"marts.{t}" for t in GOLDEN_TABLES)]
    return all(table_exists(con, t) for t in tables) and recorded_fingerprint(con, "marts.golden_customers") == fingerprint


def _scope_share(con: duckdb.DuckDBPyConnection) -> float:
    scope, customers = con.execute("SELECT (SELECT count(*) FROM _golden_scope), "
                                   "(SELECT count(DISTINCT customer_id) FROM _golden_basis)").fetchone()
    return scope / customers if customers else 1.0


def _replace_scoped_rows(con: duckdb.DuckDBPyConnection, table: str, **params: str) -> None:
    """Run one golden SQL file into a temp table whose rows replace the scoped customers' rows."""
    con.execute(render_sql(f"marts/{table}.sql", target="TEMP TABLE _golden_delta", **params))
    con.execute(f"DELETE FROM marts.{table} WHERE customer_id IN (SELECT customer_id FROM _golden_scope)")
    con.execute(f"INSERT INTO marts.{table} SELECT * FROM _golden_delta")
