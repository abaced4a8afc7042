"""Typed views over the tables this package reads but other assets write.

Why: colleagues' assets may not have run yet (first run, a source with no files), and an
empty input must still give empty outputs with the right columns. Each input is exposed as
a temporary view `_in_<name>` that casts the contract columns (docs/warehouse.md) to their
contract types, so a missing table reads as empty and a missing column fails by name.
"""

from __future__ import annotations

import duckdb

from cdp_pipeline.warehouse import table_exists

V, TS, DEC = "VARCHAR", "TIMESTAMP", "DECIMAL(12,2)"

CONTRACTS: dict[str, dict[str, str]] = {
    "staging.consent_events": {
        "source": V, "event_id": V, "event_ts": TS, "channel": V, "purpose": V, "status": V,
        "email": V, "phone": V, "customer_record_key": V, "collected_via": V, "proof": V,
    },
    "staging.suppressions": {
        "source": V, "contact_point": V, "contact_point_raw": V, "channel": V, "reason": V, "event_ts": TS,
    },
    "staging.identity_records": {
        "record_id": V, "source": V, "source_record_id": V, "email": V, "email_raw": V,
        "phone": V, "phone_raw": V, "address_l4": V, "postcode": V, "created_at": TS, "updated_at": TS,
    },
    "staging.orders": {
        "record_id": V, "source": V, "order_id": V, "customer_record_key": V, "order_ts": TS,
        "amount": DEC, "currency": V, "status": V, "store_or_site": V,
    },
    "staging.contacts": {
        "source": V, "contact_id": V, "customer_record_key": V, "contact_ts": TS,
        "channel": V, "reason": V, "outcome": V,
    },
    "identity.customer_xref": {"record_id": V, "source": V, "source_record_id": V, "customer_id": V},
    "marts.golden_customers": {
        "customer_id": V, "email": V, "mobile": V, "landline": V, "address_l2": V, "address_l3": V,
        "address_l4": V, "address_l5": V, "address_l6": V, "postcode": V, "city": V, "country": V,
    },
    "marts.customer_rfm": {"customer_id": V, "segment": V, "r_score": "INTEGER", "f_score": "INTEGER", "m_score": "INTEGER"},
}


def view_name(table: str) -> str:
    return "_in_" + table.replace(".", "_")


def register_inputs(con: duckdb.DuckDBPyConnection, *tables: str, keep_extra: bool = False) -> None:
    """Create `_in_<schema>_<table>` temp views for `tables`.

    keep_extra=True keeps every column of an existing table (the audience filter may use any
    golden column); the contract columns are still cast to their contract types.
    """
    for table in tables:
        contract = CONTRACTS[table]
        if table_exists(con, table):
            cast = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in contract.items())
            extra = f"* EXCLUDE ({', '.join(chr(34) + c + chr(34) for c in contract)}), " if keep_extra else ""
            body = f"SELECT {extra}{cast} FROM {table}"
        else:
            cast = ", ".join(f'CAST(NULL AS {t}) AS "{c}"' for c, t in contract.items())
            body = f"SELECT {cast} WHERE false"
        con.execute(f"CREATE OR REPLACE TEMP VIEW {view_name(table)} AS {body}")
