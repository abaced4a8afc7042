"""Regenerate docs/data_dictionary.md: `python -m cdp_pipeline.marts.dictionary`.

Why an in-memory build: the dictionary describes the shape of the marts, not their data,
so it is built from empty inputs and needs no warehouse (and touches no personal data).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from cdp_pipeline.config import Config
from cdp_pipeline.marts.bi import build_bi_views, data_dictionary_markdown
from cdp_pipeline.marts.customer_360 import build_customer_360
from cdp_pipeline.marts.golden import build_golden_customers
from cdp_pipeline.marts.inputs import create_input_tables
from cdp_pipeline.marts.rfm import build_rfm

DOC = Path(__file__).resolve().parents[2] / "docs" / "data_dictionary.md"


def generated_dictionary() -> str:
    """The dictionary of marts built with the default config on empty inputs."""
    here = Path.cwd()
    cfg = Config(path=here / "cdp.yaml", warehouse=here / "unused.duckdb", sources=(), publish_path=here,
                 exports_dir=here, models_dir=here, artifacts_dir=here)
    con = duckdb.connect(":memory:")
    try:
        create_input_tables(con)
        build_golden_customers(con, cfg)
        build_customer_360(con, cfg)
        build_rfm(con, cfg, "dictionary", dt.datetime(2000, 1, 1))
        build_bi_views(con, cfg)
        return data_dictionary_markdown(con)
    finally:
        con.close()


if __name__ == "__main__":
    DOC.write_text(generated_dictionary(), encoding="utf-8")
    print(f"wrote {DOC}")
