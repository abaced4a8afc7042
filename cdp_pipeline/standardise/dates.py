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


def parse_birth_dates(values: pl.Series, fmt: str, today: date | None = None) -> pl.DataFrame:
    """birth_date (Date) and birth_date_flag: ok | missing | unparseable | impossible.

    A value shaped like the format whose calendar date doesn't exist (31/02/1980) is
    `impossible`; so is a date in the future, before 1900 or more than 120 years ago.
    """
    today = today or date.today()
    raw = values.cast(pl.Utf8).str.strip_chars()
    parsed = raw.str.strptime(pl.Date, fmt, strict=False, exact=True)
    shaped = raw.str.contains(_shape(fmt))
    too_old = date(max(today.year - MAX_AGE_YEARS, MIN_BIRTH_YEAR), 1, 1)
    frame = pl.DataFrame({"raw": raw, "parsed": parsed, "shaped": shaped})
    return frame.select(
        pl.when(pl.col("parsed").is_between(too_old, today)).then(pl.col("parsed")).alias("birth_date"),
        pl.when(pl.col("raw").is_null() | (pl.col("raw") == "")).then(pl.lit("missing"))
        .when(pl.col("parsed").is_between(too_old, today)).then(pl.lit("ok"))
        .when(pl.col("parsed").is_not_null() | pl.col("shaped")).then(pl.lit("impossible"))
        .otherwise(pl.lit("unparseable")).alias("birth_date_flag"),
    )


def parse_timestamps(values: pl.Series, ts_format: str | None, date_format: str) -> pl.Series:
    """The declared timestamp format, else the date format, else ISO-8601; NULL when none fits."""
    raw = values.cast(pl.Utf8).str.strip_chars()
    iso = raw.str.replace(r"(Z|[+-]\d{2}:?\d{2})$", "")
    candidates = [raw.str.strptime(pl.Datetime("us"), f, strict=False, exact=True)
                  for f in (ts_format, date_format) if f]
    candidates += [iso.str.strptime(pl.Datetime("us"), f, strict=False, exact=True) for f in ISO_FORMATS]
    return pl.DataFrame({f"c{i}": c for i, c in enumerate(candidates)}).select(
        pl.coalesce(pl.all()).alias(values.name or "ts")
    ).to_series()
