"""Standardise a customers extract (canonical string columns) into the staging columns.

Why distinct values: at a million records most values repeat (first names, communes,
streets), so each standardiser sees each distinct value once and the results are joined
back; the output keeps every input row, in order, with its raw values beside the clean ones.
"""

from __future__ import annotations

import polars as pl

from cdp_pipeline.standardise import names
from cdp_pipeline.standardise.addresses import Address, country_code, standardise_address
from cdp_pipeline.standardise.dates import parse_birth_dates, parse_timestamps
from cdp_pipeline.standardise.emails import standardise_emails
from cdp_pipeline.standardise.phones import standardise_phones
from cdp_pipeline.standardise.text import clean

INPUT_FIELDS = (
    "source_record_id", "civility", "first_name", "last_name", "birth_name", "birth_date", "email", "phone",
    "address_line1", "address_line2", "postcode", "city", "country", "loyalty_id", "account_id",
    "created_at", "updated_at",
)
ADDRESS_FIELDS = ("address_l2", "address_l3", "address_l4", "address_l5", "address_l6", "street_number",
                  "street_number_suffix", "street_name", "postcode", "city", "commune_code", "departement")


def _with_all_fields(df: pl.DataFrame) -> pl.DataFrame:
    missing = [pl.lit(None, dtype=pl.Utf8).alias(f) for f in INPUT_FIELDS if f not in df.columns]
    return df.with_columns(missing).select([pl.col(f).cast(pl.Utf8) for f in INPUT_FIELDS])


def _map_distinct(values: list, fn) -> list:
    cache: dict = {}
    out = []
    for v in values:
        if v not in cache:
            cache[v] = fn(v)
        out.append(cache[v])
    return out


def _names(df: pl.DataFrame) -> pl.DataFrame:
    """Civility (own column or a prefix of the first name), birth name from 'née'/'épouse', forms, flags."""
    civ_col = _map_distinct(df["civility"].to_list(), names.civility)
    first_split = _map_distinct(df["first_name"].to_list(), names.split_civility)
    last_split = _map_distinct(df["last_name"].to_list(), names.split_birth_name)
    first = [f for _, f in first_split]
    last = [usage for usage, _ in last_split]
    birth = [b if b is not None else bn for (_, b), bn in zip(last_split, df["birth_name"].to_list())]
    civility = [c or pc for c, (pc, _) in zip(civ_col, first_split)]
    cols: dict[str, list] = {"civility": civility}
    for field, values in (("first_name", first), ("last_name", last), ("birth_name", birth)):
        cols[field] = _map_distinct(values, names.display)
        cols[f"{field}_std"] = _map_distinct(values, names.match_form)
    cols["first_name_flag"] = _map_distinct(first, names.flag)
    cols["last_name_flag"] = _map_distinct(last, names.flag)
    return pl.DataFrame(cols, schema={k: pl.Utf8 for k in cols})


def _addresses(df: pl.DataFrame, default_country: str) -> pl.DataFrame:
    keys = list(zip(*(df[c].to_list() for c in ("address_line1", "address_line2", "postcode", "city", "country"))))
    results: list[Address] = _map_distinct(keys, lambda k: standardise_address(*k, default_country=default_country))
    cols = {f: [getattr(a, f) for a in results] for f in ADDRESS_FIELDS}
    cols["country"] = [a.country for a in results]
    cols["address_status"] = [a.address_status for a in results]
    frame = pl.DataFrame(cols, schema={k: pl.Utf8 for k in cols})
    return frame.with_columns(pl.Series("cedex", [a.cedex for a in results], dtype=pl.Boolean))


def _ids(values: pl.Series) -> pl.Series:
    """Loyalty cards and account ids: trimmed, upper case, no spaces (" ab 12" -> "AB12")."""
    return pl.Series(values.name, _map_distinct(values.to_list(), lambda v: (clean(v) or "").upper().replace(" ", "") or None),
                     dtype=pl.Utf8)


def standardise_customers(df: pl.DataFrame, *, date_format: str, timestamp_format: str | None,
                          default_country: str) -> pl.DataFrame:
    """One output row per input row, same order: the staging columns of docs/warehouse.md
    (record_id, source, trust, loaded_at are added by the caller)."""
    df = _with_all_fields(df)
    countries = pl.Series("country", _map_distinct(df["country"].to_list(), lambda v: country_code(v, default_country)),
                          dtype=pl.Utf8)
    emails = standardise_emails(df["email"])
    phones = pl.concat(
        [standardise_phones(df.filter(countries == region)["phone"], region).with_columns(pl.lit(region).alias("_region"))
         for region in countries.unique().to_list()]
        or [standardise_phones(df["phone"]).with_columns(pl.lit(default_country).alias("_region"))]
    )
    base = df.with_columns(countries.alias("_region")).with_row_index("_row")
    joined = (
        base.join(emails.rename({"email": "_email_std"}), left_on="email", right_on="email_raw", how="left")
        .join(phones.rename({"phone": "_phone_std"}), left_on=["phone", "_region"],
              right_on=["phone_raw", "_region"], how="left")
        .sort("_row")
    )
    birth = parse_birth_dates(df["birth_date"], date_format)
    address_raw = pl.concat_str(
        [pl.col(c) for c in ("address_line1", "address_line2", "postcode", "city", "country")],
        separator=" | ", ignore_nulls=True,
    )
    flags_when_absent = {
        "email_flag": pl.when(pl.col("email").is_null()).then(pl.lit("missing")).otherwise(pl.col("email_flag")),
        "phone_flag": pl.when(pl.col("phone").is_null()).then(pl.lit("missing")).otherwise(pl.col("phone_flag")),
    }
    out = pl.concat(
        [
            joined.select(
                pl.col("source_record_id"),
                pl.col("first_name").alias("first_name_raw"),
                pl.col("last_name").alias("last_name_raw"),
                pl.col("birth_name").alias("birth_name_raw"),
                pl.col("birth_date").alias("birth_date_raw"),
                pl.col("email").alias("email_raw"),
                pl.col("_email_std").alias("email"),
                pl.col("email_domain"),
                flags_when_absent["email_flag"].alias("email_flag"),
                pl.col("phone").alias("phone_raw"),
                pl.col("_phone_std").alias("phone"),
                pl.col("phone_type"),
                flags_when_absent["phone_flag"].alias("phone_flag"),
                pl.when(address_raw != "").then(address_raw).alias("address_raw"),
                pl.col("loyalty_id"),
                pl.col("account_id"),
            ),
            _names(df),
            birth,
            _addresses(df, default_country),
        ],
        how="horizontal",
    )
    return out.with_columns(
        _ids(out["loyalty_id"]).alias("loyalty_id"),
        _ids(out["account_id"]).alias("account_id"),
        parse_timestamps(df["created_at"], timestamp_format, date_format).alias("created_at"),
        parse_timestamps(df["updated_at"], timestamp_format, date_format).alias("updated_at"),
    )
