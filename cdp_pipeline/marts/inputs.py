"""The input tables the marts read, with the columns of docs/warehouse.md.

Why in the package: the data dictionary is generated from an in-memory build on empty
inputs (no warehouse, no personal data), and the tests build their hand-made inputs on the
same definitions, so both follow the one documented contract.
"""

from __future__ import annotations

import duckdb

from cdp_pipeline.warehouse import ensure_schemas

INPUT_COLUMNS: dict[str, dict[str, str]] = {
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


def create_input_tables(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create every input table, empty."""
    ensure_schemas(con)
    for table, columns in INPUT_COLUMNS.items():
        con.execute(f"CREATE OR REPLACE TABLE {table} ({', '.join(f'{c} {t}' for c, t in columns.items())})")
