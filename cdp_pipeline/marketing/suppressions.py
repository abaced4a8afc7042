"""marts.suppressions: contact points that must not be contacted on a channel, whatever consent says.

Why separate from consent: suppressions come from operations (bounces, STOP SMS, NPAI
returns, Bloctel, complaints) rather than from the person's choice per purpose, and they win
over any consent, even a later one, until a person re-validates the contact point with the
platform that produced the suppression.
"""

from __future__ import annotations

import duckdb

from cdp_pipeline.config import Config
from cdp_pipeline.marketing.inputs import register_inputs
from cdp_pipeline.warehouse import run_sql_file


def build_suppressions(con: duckdb.DuckDBPyConnection, cfg: Config) -> dict:
    register_inputs(con, "staging.suppressions")
    run_sql_file(con, "marketing/contact_macros.sql")
    run_sql_file(con, "marketing/suppressions.sql")
    by_reason = dict(con.execute("SELECT reason, count(*) FROM marts.suppressions GROUP BY reason").fetchall())
    return {"rows": sum(by_reason.values()), **{f"reason_{k}": int(v) for k, v in sorted(by_reason.items())}}
