"""A tiny hand-made warehouse: the input tables of marketing/privacy with their contract columns."""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml

from cdp_pipeline.config import load_config
from cdp_pipeline.marketing.inputs import CONTRACTS
from cdp_pipeline.warehouse import ensure_schemas

EXTRA = {  # columns beyond the contract that real tables have and tests use
    "staging.identity_records": {"first_name": "VARCHAR", "last_name": "VARCHAR", "email_flag": "VARCHAR"},
}


def make_warehouse(path: Path, **rows: list[dict]) -> duckdb.DuckDBPyConnection:
    """Create every contract table (empty) and insert `rows[<schema>_<table>]` dicts."""
    con = duckdb.connect(str(path))
    ensure_schemas(con)
    for table, cols in CONTRACTS.items():
        cols = {**cols, **EXTRA.get(table, {})}
        con.execute(f"CREATE TABLE {table} ({', '.join(f'{c} {t}' for c, t in cols.items())})")
        for row in rows.get(table.replace(".", "_"), []):
            names = list(row)
            con.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                        [row[n] for n in names])
    return con


def person(cid: str, rid: str, email: str | None = None, mobile: str | None = None,
           l4: str | None = None, postcode: str | None = "75001", **golden) -> dict[str, list[dict]]:
    """Rows for one person with one source record: identity record, xref, golden record."""
    src, srid = rid.split(":")
    return {
        "staging_identity_records": [dict(record_id=rid, source=src, source_record_id=srid, email=email,
                                          email_raw=email, phone=mobile, phone_raw=mobile, address_l4=l4,
                                          postcode=postcode, created_at="2024-01-01")],
        "identity_customer_xref": [dict(record_id=rid, source=src, source_record_id=srid, customer_id=cid)],
        "marts_golden_customers": [dict(customer_id=cid, email=email, mobile=mobile, address_l4=l4,
                                        postcode=postcode if l4 else None, city="PARIS" if l4 else None,
                                        country="FR", **golden)],
    }


def merge(*parts: dict[str, list[dict]]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for part in parts:
        for k, v in part.items():
            out.setdefault(k, []).extend(v)
    return out


def make_cfg(folder: Path, **sections):
    body = {"warehouse": "wh.duckdb", "exports_dir": "exports", **sections}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "cdp.yaml"
    path.write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    return load_config(path)
