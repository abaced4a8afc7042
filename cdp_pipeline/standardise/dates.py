"""Dates and timestamps, parsed with each source's declared format; bad values flagged, never guessed.

Why no guessing: "03/04/1980" is the 3rd of April in a French till export and the 4th of
March in an American one; a source declares its format and a value that doesn't fit it is
flagged, not re-interpreted.
"""

from __future__ import annotations

import re
from datetime import date

import polars as pl

_FIELD_PATTERNS = {"%d": r"\d{1,2}", "%m": r"\d{1,2}", "%Y": r"\d{4}", "%y": r"\d{2}", "%H": r"\d{1,2}",
                   "%M": r"\d{1,2}", "%S": r"\d{1,2}"}
ISO_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")
MIN_BIRTH_YEAR = 1900
MAX_AGE_YEARS = 120


def _shape(fmt: str) -> str:
    """A regex for values that have the declared format's shape (digits where it has fields)."""
    out, i = "", 0
    while i < len(fmt):
        token = fmt[i:i + 2]
        if token in _FIELD_PATTERNS:
            out += _FIELD_PATTERNS[token]
            i += 2
        else:
            out += re.escape(fmt[i])
            i += 1
    return "^" + out + "$"


def parse_dates(values: pl.Series, fmt: str) -> pl.DataFrame:
    """value (Date) and flag: ok | missing | unparseable | impossible, with the declared format only.

    `impossible` is a value shaped like the format whose calendar date doesn't exist
    (31/02/1980): a typing error, not a different format, so it's told apart from `unparseable`.
    """
    raw = values.cast(pl.Utf8).str.strip_chars()
    frame = pl.DataFrame({"raw": raw}).with_columns(
        pl.col("raw").str.strptime(pl.Date, fmt, strict=False, exact=True).alias("value"),
        pl.col("raw").str.contains(_shape(fmt)).alias("shaped"),
    )
    return frame.select(
        "value",
        pl.when(pl.col("raw").is_null() | (pl.col("raw") == "")).then(pl.lit("missing"))
        .when(pl.col("value").is_not_null()).then(pl.lit("ok"))
        .when(pl.col("shaped")).then(pl.lit("impossible"))
        .otherwise(pl.lit("unparseable")).alias("flag"),
    )


def parse_birth_dates(values: pl.Series, fmt: str, today: date | None = None) -> pl.DataFrame:
    """birth_date (Date) and birth_date_flag: ok | missing | unparseable | impossible.

    On top of `parse_dates`, a birth date in the future, before 1900 or more than 120 years
    ago is `impossible` too (placeholders like 01/01/1900, typos like 1890 or 2980).
    """
    today = today or date.today()
    too_old = date(max(today.year - MAX_AGE_YEARS, MIN_BIRTH_YEAR), 1, 1)
    plausible = pl.col("value").is_between(too_old, today)
    return parse_dates(values, fmt).select(
        pl.when(plausible).then(pl.col("value")).alias("birth_date"),
        pl.when((pl.col("flag") == "ok") & ~plausible).then(pl.lit("impossible"))
        .otherwise(pl.col("flag")).alias("birth_date_flag"),
    )


def parse_timestamps(values: pl.Series, ts_format: str | None, date_format: str) -> pl.Series:
    """Datetime (naive, UTC where the value carried an offset); NULL when the value doesn't fit.

    A declared timestamp format is the only one tried (no guessing). Without one, the
    source's date format (legacy systems write bare dates) then ISO-8601, as the config
    documents; ISO values with an offset or `Z` are converted to UTC rather than cut.
    """
    raw = values.cast(pl.Utf8).str.strip_chars()
    if ts_format:
        return raw.str.strptime(pl.Datetime("us"), ts_format, strict=False, exact=True).alias(values.name or "ts")
    iso = raw.str.replace(r"Z$", "+00:00").str.replace(r"([+-]\d{2})(\d{2})$", "$1:$2")
    candidates = [raw.str.strptime(pl.Datetime("us"), date_format, strict=False, exact=True)]
    candidates += [iso.str.strptime(pl.Datetime("us", "UTC"), f + "%:z", strict=False, exact=True)
                   .dt.replace_time_zone(None) for f in ISO_FORMATS if "%H" in f]
    candidates += [iso.str.strptime(pl.Datetime("us"), f, strict=False, exact=True) for f in ISO_FORMATS]
    return pl.DataFrame({f"c{i}": c for i, c in enumerate(candidates)}).select(
        pl.coalesce(pl.all()).alias(values.name or "ts")
    ).to_series()
