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
JUNK_NATIONAL = {"0102030405", "0123456789", "0987654321", "0606060606", "0612345678", "0101010101"}


def _is_placeholder(digits: str) -> bool:
    national = digits[-9:]
    return (
        len(set(digits)) <= 2 and len(digits) >= 8  # 0000000000, 0606060606...
        or national[1:] == "0" * 8  # 0600000000, 0100000000
        or ("0" + national) in JUNK_NATIONAL
    )


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
    try:
        number = phonenumbers.parse(value, region)
    except NumberParseException:
        return None, None, "invalid"
    if not phonenumbers.is_valid_number(number):
        return None, None, "invalid"
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if _is_placeholder(e164[1:]):
        return None, None, "junk"
    return e164, TYPES.get(phonenumbers.number_type(number), "other"), "ok"


def standardise_phones(values: pl.Series, default_region: str = "FR") -> pl.DataFrame:
    """One row per distinct input value: phone_raw, phone, phone_type, phone_flag."""
    rows = [(v, *standardise_phone(v, default_region)) for v in values.drop_nulls().unique().to_list()]
    return pl.DataFrame(
        rows, orient="row",
        schema={"phone_raw": pl.Utf8, "phone": pl.Utf8, "phone_type": pl.Utf8, "phone_flag": pl.Utf8},
    )
