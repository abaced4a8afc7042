"""Phones: E.164 with libphonenumber, region from the record's country (FR by default).

Why the pre-cleaning: French extracts write numbers as "06 12 34 56 78", "06.12.34.56.78",
"0033 6...", "33612345678" or, after a spreadsheet dropped the leading zero, "612345678".
Placeholders ("0000000000", "0102030405", "0600000000") are junk, not people.
"""

from __future__ import annotations

import re

import phonenumbers
import polars as pl
from phonenumbers import NumberParseException, PhoneNumberType

from cdp_pipeline.standardise.text import clean

_DIGITS = re.compile(r"\D")
TYPES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "other",
    PhoneNumberType.VOIP: "voip",
}
# Overseas départements have their own country codes (+262, +590...) but French customers
# type their numbers in the French national form ("0692 12 34 56"): tried when FR fails.
OVERSEAS_REGIONS = ("RE", "YT", "GP", "MQ", "GF", "PM")
JUNK_NATIONAL = {"0102030405", "0123456789", "0987654321"}


def _is_placeholder(digits: str) -> bool:
    national = digits[-9:]
    return (
        len(set(digits)) <= 2 and len(digits) >= 8  # 0000000000, 0606060606...
        or national[1:] == "0" * 8  # 0600000000, 0100000000
        or ("0" + national) in JUNK_NATIONAL
    )


def _parse_valid(value: str, region: str) -> tuple[phonenumbers.PhoneNumber, int] | None:
    """(number, type) when valid. The type is computed once: a number is valid exactly when its
    type is known (what `is_valid_number` checks too), and matching is libphonenumber's cost."""
    try:
        number = phonenumbers.parse(value, region)
    except NumberParseException:
        return None
    kind = phonenumbers.number_type(number)
    return (number, kind) if kind != PhoneNumberType.UNKNOWN else None


def standardise_phone(raw: str | None, region: str = "FR") -> tuple[str | None, str | None, str]:
    """(E.164, type, flag) with flag ok | missing | invalid | junk."""
    value = clean(raw)
    if not value:
        return None, None, "missing"
    digits = _DIGITS.sub("", value)
    if not digits:
        return None, None, "invalid"
    if region == "FR" and not value.lstrip().startswith("+"):
        if len(digits) == 9 and digits[0] in "123456789":
            value = "0" + digits  # a spreadsheet dropped the leading zero
        elif len(digits) == 11 and digits.startswith("33"):
            value = "+" + digits
    if region == "FR" and _is_placeholder(digits):
        return None, None, "junk"
    parsed = _parse_valid(value, region)
    if parsed is None and region == "FR":
        parsed = next(filter(None, (_parse_valid(value, r) for r in OVERSEAS_REGIONS)), None)
    if parsed is None:
        return None, None, "invalid"
    number, kind = parsed
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if _is_placeholder(e164[1:]):
        return None, None, "junk"
    return e164, TYPES.get(kind, "other"), "ok"


def standardise_phones(values: pl.Series, default_region: str = "FR") -> pl.DataFrame:
    """One row per distinct input value: phone_raw, phone, phone_type, phone_flag."""
    rows = [(v, *standardise_phone(v, default_region)) for v in values.drop_nulls().unique().to_list()]
    return pl.DataFrame(
        rows, orient="row",
        schema={"phone_raw": pl.Utf8, "phone": pl.Utf8, "phone_type": pl.Utf8, "phone_flag": pl.Utf8},
    )
