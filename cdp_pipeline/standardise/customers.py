"""Standardise a customers extract (canonical string columns) into the staging columns.

Why distinct values: at a million records most values repeat (first names, communes,
streets, shop emails), so each Python standardiser sees each distinct value (or distinct
combination, for addresses) once, and its results are joined back; the output keeps every
input row, in order, with its raw values beside the standardised ones.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Callable

import polars as pl

from cdp_pipeline.standardise import names
from cdp_pipeline.standardise.addresses import Address, standardise_address
from cdp_pipeline.standardise.dates import parse_birth_dates, parse_timestamps
from cdp_pipeline.standardise.emails import standardise_email
from cdp_pipeline.standardise.phones import standardise_phone
from cdp_pipeline.standardise.text import clean

INPUT_FIELDS = (
    "source_record_id", "civility", "first_name", "last_name", "birth_name", "birth_date", "email", "phone",
    "address_line1", "address_line2", "postcode", "city", "country", "loyalty_id", "account_id",
    "created_at", "updated_at",
)
# staging.identity_records columns (docs/warehouse.md) this function produces, in the contract's order.
OUTPUT_COLUMNS = (
    "source_record_id", "civility",
    "first_name", "last_name", "birth_name", "first_name_std", "last_name_std", "birth_name_std",
    "first_name_raw", "last_name_raw", "birth_name_raw", "first_name_flag", "last_name_flag",
    "birth_date", "birth_date_raw", "birth_date_flag",
    "email", "email_raw", "email_flag", "phone", "phone_raw", "phone_flag", "phone_type",
    "address_l2", "address_l3", "address_l4", "address_l5", "address_l6",
    "street_number", "street_number_suffix", "street_name", "postcode", "city", "commune_code", "departement",
    "cedex", "country", "address_raw", "address_status", "loyalty_id", "account_id", "created_at", "updated_at",
)
ADDRESS_SCHEMA = {f.name: (pl.Boolean if f.name == "cedex" else pl.Utf8) for f in fields(Address)}
ADDRESS_FIELDS = tuple(ADDRESS_SCHEMA)


def _per_distinct(df: pl.DataFrame, columns: list[str], fn: Callable[..., tuple], schema: dict) -> pl.DataFrame:
    """fn(*values) once per distinct combination of `columns`, joined back: one row per df row, same order.

    Null keys join too (a missing email still gets its `missing` flag)."""
    keys = [f"_k{i}" for i in range(len(columns))]
    distinct = df.select([pl.col(c).alias(k) for c, k in zip(columns, keys)]).unique()
    results = pl.DataFrame([fn(*row) for row in distinct.iter_rows()], schema=schema, orient="row")
    lookup = pl.concat([distinct, results], how="horizontal")
    return (
        df.select([pl.col(c).alias(k) for c, k in zip(columns, keys)])
        .join(lookup, on=keys, how="left", nulls_equal=True, maintain_order="left")
        .drop(keys)
    )


def _first_name(value: str | None) -> tuple:
    """A civility typed into the first name ("M. Jean") is split off before the name forms."""
    prefix, name = names.split_civility(value)
    return prefix, names.display(name), names.match_form(name), names.flag(name)


def _last_name(value: str | None) -> tuple:
    """'DUPONT née MARTIN' gives the usage name and the birth name."""
    usage, birth = names.split_birth_name(value)
    return names.display(usage), names.match_form(usage), names.flag(usage), names.display(birth), names.match_form(birth)


def _name_forms(value: str | None) -> tuple:
    return names.display(value), names.match_form(value)


def _identifier(value: str | None) -> tuple:
    """Loyalty cards and account ids: trimmed, upper case, no spaces (" ab 12" -> "AB12")."""
    return ((clean(value) or "").upper().replace(" ", "") or None,)


def _address(line1, line2, postcode, city, country, *, default_country: str) -> tuple:
    addr = standardise_address(line1, line2, postcode, city, country, default_country=default_country)
    return tuple(getattr(addr, f) for f in ADDRESS_FIELDS)


def standardise_customers(df: pl.DataFrame, *, date_format: str, timestamp_format: str | None,
                          default_country: str) -> pl.DataFrame:
    """One output row per input row, same order: source_record_id and the standardised columns of
    staging.identity_records (record_id, source, trust, loaded_at are added by the caller)."""
    missing = [pl.lit(None, dtype=pl.Utf8).alias(f) for f in INPUT_FIELDS if f not in df.columns]
    df = df.with_columns(missing).select([pl.col(f).cast(pl.Utf8) for f in INPUT_FIELDS])
    s = pl.Utf8
    first = _per_distinct(df, ["first_name"], _first_name,
                          {"_civ_prefix": s, "first_name": s, "first_name_std": s, "first_name_flag": s})
    last = _per_distinct(df, ["last_name"], _last_name, {"last_name": s, "last_name_std": s, "last_name_flag": s,
                                                         "_birth_from_last": s, "_birth_std_from_last": s})
    birth = _per_distinct(df, ["birth_name"], _name_forms, {"_birth": s, "_birth_std": s})
    civility = _per_distinct(df, ["civility"], lambda v: (names.civility(v),), {"_civ": s})
    address = _per_distinct(df, ["address_line1", "address_line2", "postcode", "city", "country"],
                            lambda *k: _address(*k, default_country=default_country), ADDRESS_SCHEMA)
    # phones are read in the record's country (a Belgian customer types a Belgian number)
    region = df.select(pl.col("phone"), address.get_column("country").alias("_region"))
    phone = _per_distinct(region, ["phone", "_region"], standardise_phone,
                          {"phone": s, "phone_type": s, "phone_flag": s})
    email = _per_distinct(df, ["email"], standardise_email, {"email": s, "email_flag": s})
    loyalty = _per_distinct(df, ["loyalty_id"], _identifier, {"loyalty_id": s})
    account = _per_distinct(df, ["account_id"], _identifier, {"account_id": s})
    raw = df.select(
        "source_record_id",
        pl.col("first_name").alias("first_name_raw"),
        pl.col("last_name").alias("last_name_raw"),
        pl.col("birth_name").alias("birth_name_raw"),
        pl.col("birth_date").alias("birth_date_raw"),
        pl.col("email").alias("email_raw"),
        pl.col("phone").alias("phone_raw"),
        pl.concat_str([pl.col(c) for c in ("address_line1", "address_line2", "postcode", "city", "country")],
                      separator=" | ", ignore_nulls=True).replace("", None).alias("address_raw"),
        parse_timestamps(df.get_column("created_at"), timestamp_format, date_format).alias("created_at"),
        parse_timestamps(df.get_column("updated_at"), timestamp_format, date_format).alias("updated_at"),
    )
    out = pl.concat([raw, first, last, birth, civility, address, phone, email, loyalty, account,
                     parse_birth_dates(df.get_column("birth_date"), date_format)], how="horizontal")
    return out.with_columns(
        pl.coalesce("_civ", "_civ_prefix").alias("civility"),
        # an explicit birth-name column wins over one read from "née ..." in the last name
        pl.coalesce("_birth", "_birth_from_last").alias("birth_name"),
        pl.when(pl.col("_birth").is_not_null()).then("_birth_std").otherwise("_birth_std_from_last")
        .alias("birth_name_std"),
    ).select(OUTPUT_COLUMNS)
