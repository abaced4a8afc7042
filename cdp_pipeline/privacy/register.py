"""gdpr.processing_register: the Article 30 record of processing, rebuilt from config each run.

Why from config: the register must follow what the pipeline actually does; keeping it next to
the sources and audiences it describes (or in the packaged default) means a change is reviewed
in the same place, and the warehouse copy is what the DPO queries.
"""

from __future__ import annotations

from datetime import datetime, timezone

import duckdb

from cdp_pipeline.config import Config
from cdp_pipeline.privacy.settings import gdpr_settings
from cdp_pipeline.warehouse import transaction


def _text_list(value) -> list[str]:
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def build_processing_register(con: duckdb.DuckDBPyConnection, cfg: Config) -> dict:
    settings = gdpr_settings(cfg)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = [(str(a["activity"]), _text_list(a["purposes"]), str(a["legal_basis"]), _text_list(a["data_categories"]),
             _text_list(a["data_subjects"]), _text_list(a["recipients"]), str(a["retention"]),
             str(a["transfers"]), _text_list(a["security_measures"]),
             settings.controller.get("name"), settings.controller.get("contact") or settings.controller.get("dpo"), now)
            for a in settings.activities]
    with transaction(con):
        con.execute("""CREATE OR REPLACE TABLE gdpr.processing_register (activity VARCHAR, purposes VARCHAR[],
            legal_basis VARCHAR, data_categories VARCHAR[], data_subjects VARCHAR[], recipients VARCHAR[],
            retention VARCHAR, transfers VARCHAR, security_measures VARCHAR[], controller VARCHAR,
            controller_contact VARCHAR, updated_at TIMESTAMP)""")
        con.executemany(f"INSERT INTO gdpr.processing_register VALUES ({', '.join('?' * 12)})", rows)
    return {"activities": len(rows)}
