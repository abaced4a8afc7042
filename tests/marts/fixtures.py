"""Hand-made warehouse inputs for the marts tests, with the columns of docs/warehouse.md.

Why a helper: each test states only the columns that matter to it (a trust, a flag, a date);
everything else gets a neutral default, so the tests read as the scenario they check.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from cdp_pipeline.config import Config
from cdp_pipeline.marts.inputs import INPUT_COLUMNS, create_input_tables


def person(record_id: str, customer_id: str, **values) -> dict:
    """An identity record with clean flags; `values` override any column."""
    source, source_record_id = record_id.split(":", 1)
    row = {
        "record_id": record_id, "source": source, "source_record_id": source_record_id, "trust": 1,
        "first_name_flag": "ok", "last_name_flag": "ok", "birth_date_flag": "ok",
        "email_flag": "ok", "phone_flag": "ok", "phone_type": "mobile", "address_status": "validated",
        "country": "FR", "created_at": dt.datetime(2024, 1, 1), "updated_at": dt.datetime(2024, 1, 1),
        "_customer_id": customer_id,
    }
    row.update(values)
    return row


def order(order_id: str, buyer: str, ts: str, amount: float, status: str = "paid", source: str = "web") -> dict:
    customer_source, customer_record_id = buyer.split(":", 1)
    return {
        "record_id": f"{source}:{order_id}", "source": source, "order_id": order_id,
        "customer_source": customer_source, "customer_record_id": customer_record_id,
        "customer_record_key": buyer, "order_ts": dt.datetime.fromisoformat(ts), "amount": amount,
        "currency": "EUR", "status": status, "store_or_site": "site",
    }


def write_inputs(con: duckdb.DuckDBPyConnection, people=(), orders=(), contacts=(), suppressions=(),
                 redirects=()) -> None:
    """Create every input table (empty when no rows given); people also fill customer_xref."""
    create_input_tables(con)
    xref = [
        {"record_id": p["record_id"], "source": p["source"], "source_record_id": p["source_record_id"],
         "customer_id": p["_customer_id"], "cluster_confidence": 1.0}
        for p in people if p.get("_customer_id")
    ]
    rows = {
        "staging.identity_records": people, "staging.orders": orders, "staging.contacts": contacts,
        "staging.suppressions": suppressions, "identity.customer_xref": xref,
        "identity.customer_id_redirects": redirects,
    }
    for table, columns in INPUT_COLUMNS.items():
        names = list(columns)
        for row in rows[table]:
            con.execute(
                f"INSERT INTO {table} VALUES ({', '.join('?' for _ in names)})", [row.get(c) for c in names]
            )


def config(tmp_path: Path, **sections) -> Config:
    """A Config whose marts sections are given; other fields are irrelevant to the marts."""
    return Config(path=tmp_path / "cdp.yaml", warehouse=tmp_path / "wh.duckdb", sources=(),
                  publish_path=tmp_path / "bi.duckdb", exports_dir=tmp_path, models_dir=tmp_path,
                  artifacts_dir=tmp_path, **sections)
