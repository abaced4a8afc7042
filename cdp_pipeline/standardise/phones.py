"""Phones: E.164 with libphonenumber, region from the record's country (FR by default).

Why the pre-cleaning: French extracts write numbers as "06 12 34 56 78", "06.12.34.56.78",
"0033 6...", "33612345678" or, after a spreadsheet dropped the leading zero, "612345678".
Placeholders ("0000000000", "0102030405", "0600000000") are junk, not people.

Why a shortcut for plain French numbers: parsing with libphonenumber costs ~50 µs a number,
half of a million customers' standardisation. A number written only with digits, spaces, dots
and dashes, in one of the French forms below, has an obvious national number; its type is then
libphonenumber's own rule for France, matched against FR's own metadata patterns, compiled once.
What the shortcut cannot type goes through the library, so the result is the library's.
"""

from __future__ import annotations

import re

import phonenumbers
import polars as pl
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumberType

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


def _parse_valid(value: str, region: str) -> tuple[str, int] | None:
    """(E.164, type) when valid. The type is computed once: a number is valid exactly when its
    type is known (what `is_valid_number` checks too), and matching is libphonenumber's cost."""
    try:
        number = phonenumbers.parse(value, region)
    except NumberParseException:
        return None
    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.UNKNOWN:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), kind


_PLAIN = re.compile(r"\+?[0-9][0-9 .\-]*")


def _french_type_rule() -> list[tuple[re.Pattern, int]]:
    """libphonenumber's `_number_type_helper` for FR as an ordered list of (pattern, type), the
    first match giving the type, from the library's own metadata (nine-digit national numbers).
    Empty, so the library decides, if FR ever shares one pattern for mobiles and landlines."""
    fr = _FR
    if fr.same_mobile_and_fixed_line_pattern:
        return []
    descs = [(fr.premium_rate, PhoneNumberType.PREMIUM_RATE), (fr.toll_free, PhoneNumberType.TOLL_FREE),
             (fr.shared_cost, PhoneNumberType.SHARED_COST), (fr.voip, PhoneNumberType.VOIP),
             (fr.personal_number, PhoneNumberType.PERSONAL_NUMBER), (fr.pager, PhoneNumberType.PAGER),
             (fr.uan, PhoneNumberType.UAN), (fr.voicemail, PhoneNumberType.VOICEMAIL),
             (fr.fixed_line, PhoneNumberType.FIXED_LINE), (fr.mobile, PhoneNumberType.MOBILE)]
    return [(re.compile(d.national_number_pattern), kind) for d, kind in descs
            if d is not None and d.national_number_pattern and (not d.possible_length or 9 in d.possible_length)]


_FR = PhoneMetadata.metadata_for_region("FR")
_FR_GENERAL = re.compile(_FR.general_desc.national_number_pattern)
_FR_MOBILE = re.compile(_FR.mobile.national_number_pattern)
_FR_RULE = _french_type_rule()


def _parse_french(value: str) -> tuple[str, int] | None:
    """(E.164, type) of a plain French number ("06 12 34 56 78", "+33 6...", "0033 6..."), or None
    to let the library decide (other forms, or a number FR's rule does not type)."""
    if not _PLAIN.fullmatch(value):
        return None
    digits = _DIGITS.sub("", value)
    if value.startswith("+"):
        national = digits[2:] if len(digits) == 11 and digits.startswith("33") else None
    elif digits.startswith("00"):
        national = digits[4:] if len(digits) == 13 and digits.startswith("0033") else None
    else:
        national = digits[1:] if len(digits) == 10 and digits.startswith("0") else None
    if not national or not _FR_GENERAL.fullmatch(national):
        return None
    for pattern, kind in _FR_RULE:
        if pattern.fullmatch(national):
            if kind == PhoneNumberType.FIXED_LINE and _FR_MOBILE.fullmatch(national):
                kind = PhoneNumberType.FIXED_LINE_OR_MOBILE
            return "+33" + national, kind
    return None


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
    parsed = (_parse_french(value) if region == "FR" else None) or _parse_valid(value, region)
    if parsed is None and region == "FR":
        parsed = next(filter(None, (_parse_valid(value, r) for r in OVERSEAS_REGIONS)), None)
    if parsed is None:
        return None, None, "invalid"
    e164, kind = parsed
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
