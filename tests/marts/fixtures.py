"""Hand-made warehouse inputs for the marts tests, with the columns of docs/warehouse.md.

Why a helper: each test states only the columns that matter to it (a trust, a flag, a date);
everything else gets a neutral default, so the tests read as the scenario they check.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from cdp_pipeline.config import Config
from cdp_pipeline.warehouse import ensure_schemas

COLUMNS: dict[str, dict[str, str]] = {
    "staging.identity_records": {
        "record_id": "VARCHAR", "source": "VARCHAR", "source_record_id": "VARCHAR", "trust": "INTEGER",
        "civility": "VARCHAR",
        "first_name": "VARCHAR", "last_name": "VARCHAR", "birth_name": "VARCHAR",
        "first_name_std": "VARCHAR", "last_name_std": "VARCHAR", "birth_name_std": "VARCHAR",
        "first_name_raw": "VARCHAR", "last_name_raw": "VARCHAR", "birth_name_raw": "VARCHAR",
        "first_name_flag": "VARCHAR", "last_name_flag": "VARCHAR",
        "birth_date": "DATE", "birth_date_raw": "VARCHAR", "birth_date_flag": "VARCHAR",
        "email": "VARCHAR", "email_raw": "VARCHAR", "email_flag": "VARCHAR",
        "phone": "VARCHAR", "phone_raw": "VARCHAR", "phone_flag": "VARCHAR", "phone_type": "VARCHAR",
        "address_l2": "VARCHAR", "address_l3": "VARCHAR", "address_l4": "VARCHAR",
        "address_l5": "VARCHAR", "address_l6": "VARCHAR",
        "street_number": "VARCHAR", "street_number_suffix": "VARCHAR", "street_name": "VARCHAR",
        "postcode": "VARCHAR", "city": "VARCHAR", "commune_code": "VARCHAR", "departement": "VARCHAR",
        "cedex": "BOOLEAN", "country": "VARCHAR", "address_raw": "VARCHAR", "address_status": "VARCHAR",
        "loyalty_id": "VARCHAR", "account_id": "VARCHAR",
        "created_at": "TIMESTAMP", "updated_at": "TIMESTAMP", "loaded_at": "TIMESTAMP",
    },
    "staging.orders": {
        "record_id": "VARCHAR", "source": "VARCHAR", "order_id": "VARCHAR", "customer_source": "VARCHAR",
        "customer_record_id": "VARCHAR", "customer_record_key": "VARCHAR", "order_ts": "TIMESTAMP",
        "amount": "DECIMAL(12,2)", "currency": "VARCHAR", "status": "VARCHAR", "store_or_site": "VARCHAR",
    },
    "staging.contacts": {
        "source": "VARCHAR", "contact_id": "VARCHAR", "customer_record_key": "VARCHAR",
        "contact_ts": "TIMESTAMP", "channel": "VARCHAR", "reason": "VARCHAR", "outcome": "VARCHAR",
    },
    "staging.suppressions": {
        "source": "VARCHAR", "contact_point": "VARCHAR", "contact_point_raw": "VARCHAR",
        "channel": "VARCHAR", "reason": "VARCHAR", "event_ts": "TIMESTAMP",
    },
    "identity.customer_xref": {
        "record_id": "VARCHAR", "source": "VARCHAR", "source_record_id": "VARCHAR", "customer_id": "VARCHAR",
        "cluster_confidence": "DOUBLE", "model_version": "VARCHAR", "assigned_at": "TIMESTAMP",
    },
    "identity.customer_id_redirects": {
        "old_id": "VARCHAR", "new_id": "VARCHAR", "redirected_at": "TIMESTAMP", "reason": "VARCHAR",
    },
}


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
    ensure_schemas(con)
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
    for table, columns in COLUMNS.items():
        con.execute(f"CREATE OR REPLACE TABLE {table} ({', '.join(f'{c} {t}' for c, t in columns.items())})")
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
