"""Each channel's imperfect view of a person: one or two customer records per source.

Why per-channel styling: the point of the demo is that the same person looks different
in every system (the till types upper case without accents, the call-centre agent spells
by ear, the web form keeps whatever the customer typed). The frequencies of every
deliberate imperfection live in `RECORD_CASES` so tests and the summary can quote them.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from cdp_pipeline.synth import addresses as addr
from cdp_pipeline.synth import names
from cdp_pipeline.synth.people import REFERENCE_DATE, Person, Registry, new_email, new_mobile

CUSTOMER_SOURCES = ("pos", "web", "app", "callcentre")

# Share of persons with a record in each channel (app depends on having a web account).
CHANNEL_SHARES = {"pos": 0.60, "web": 0.50, "app_if_web": 0.40, "app_if_no_web": 0.10, "callcentre": 0.15}

# Record-level hard cases. A float applies to every source; a dict gives per-source shares.
RECORD_CASES: dict[str, float | dict[str, float]] = {
    "duplicate_record": 0.04,  # a second record for the same person in the same source
    "typo": 0.03,  # one keyboard slip in the first or last name
    "nickname": 0.03,  # JP for Jean-Pierre, Jean for Jean-Pierre, Seb for Sébastien
    "drop_accents": {"web": 0.25, "app": 0.35, "callcentre": 0.5},
    "swap_names": {"pos": 0.005, "web": 0.01, "app": 0.01, "callcentre": 0.08},
    "phonetic": {"callcentre": 0.12},  # agent spells by ear: Filippe, Lefèbre
    "birth_name_as_last": 0.35,  # married woman: this record was created before the marriage
    "old_address": 0.5,  # mover: this record still has the previous address
    "work_address": 0.5,  # web: parcels sent to the CEDEX office address
    "click_collect_address": {"web": 0.02},  # the shop's address typed as home address
    "second_email": 0.4,  # when the person has two
    "family_email": 0.5,  # when the household has one
    "landline": 0.45,  # landline given instead of the mobile, when there is one
    "placeholder_email": {"pos": 0.03, "callcentre": 0.03},  # test@test.com, noemail@...
    "default_phone": {"callcentre": 0.05},  # 0100000000 typed when the caller gives none
    "email_provider_typo": 0.01,  # gmial.com, hotmial.fr
    "birth_date_day_month_swap": 0.01,
    "missing_birth_date": {"pos": 0.15, "web": 0.35, "app": 0.30, "callcentre": 0.40},
    "missing_email": {"pos": 0.35, "web": 0.0, "app": 0.05, "callcentre": 0.45},
    "missing_phone": {"pos": 0.20, "web": 0.30, "app": 0.10, "callcentre": 0.03},
    "missing_address": {"pos": 0.05, "web": 0.03, "app": 0.40, "callcentre": 0.25},
    "accented_address": {"pos": 0.30},  # some tills keep accents in addresses (real cp1252 bytes)
}
PLACEHOLDER_EMAILS = ["test@test.com", "noemail@noemail.fr", "pasdemail@orange.fr", "aucun@aucun.fr",
                      "client@maisonlumiere.fr"]
DEFAULT_PHONE = "0100000000"
PROVIDER_TYPOS = {"gmail.com": ["gmial.com", "gmail.con", "gmail.fr"], "hotmail.fr": ["hotmial.fr", "hotmail.f"],
                  "orange.fr": ["ornage.fr", "orange.fe"], "wanadoo.fr": ["wanado.fr"], "yahoo.fr": ["yaho.fr"],
                  "free.fr": ["fre.fr"], "laposte.net": ["laposte.ne", "lapost.net"], "sfr.fr": ["srf.fr"]}

# Identifier scrambling: ids are a bijection of (person, record number) so they are stable
# across runs and increments, but unrelated between sources (no id leaks the person).
_PRIME = 4294967291
_ID_SALT = {"pos": (2654435761, 11), "web": (2246822519, 7), "app": (3266489917, 5),
            "callcentre": (668265263, 3), "account": (374761393, 13), "loyalty": (2869860233, 17),
            "order": (1597334677, 19), "contact": (3812015801, 23), "request": (1181783497, 29)}


def scramble(kind: str, key: int) -> int:
    a, b = _ID_SALT[kind]
    return ((key + 7919) * a + b) % _PRIME  # the offset keeps small keys from giving small ids


def record_id(source: str, key: int) -> str:
    n = scramble(source, key)
    if source == "pos":
        return f"{n:010d}"
    if source == "web":
        return f"C{n:010d}"
    if source == "app":
        return f"u_{n:08x}"
    return f"SAV{n:010d}"


def record_key(pid: int, dup: int) -> int:
    return pid * 4 + dup


def loyalty_card(key: int) -> str:
    return f"29{scramble('loyalty', key):011d}"


def account_id(key: int) -> str:
    return f"A{scramble('account', key):010d}"


def _share(case: str, source: str) -> float:
    value = RECORD_CASES[case]
    return value.get(source, 0.0) if isinstance(value, dict) else value


def format_phone(rng: random.Random, digits: str) -> str:
    """The same number as people and systems write it: spaces, dots, +33, nothing."""
    r = rng.random()
    overseas = digits[:3] in ("059", "026", "050")
    if r < 0.35:
        return " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    if r < 0.60:
        return digits
    if r < 0.72:
        return ".".join(digits[i:i + 2] for i in range(0, 10, 2))
    if r < 0.78:
        return "-".join(digits[i:i + 2] for i in range(0, 10, 2))
    if overseas:
        return digits
    if r < 0.92:
        return "+33" + digits[1:]
    if r < 0.97:
        return "+33 " + digits[1] + " " + " ".join(digits[i:i + 2] for i in range(2, 10, 2))
    return "0033" + digits[1:]


def style_text(style: str, text: str | None) -> str | None:
    """Apply a record's writing style: `upper_plain` (till), `plain` (no accents), `lower`,
    `upper`, or `as_is`. Stored on the record so later edits are written the same way."""
    if text is None:
        return None
    if style == "upper_plain":
        return names.upper_plain(text)
    if style == "plain":
        return names.strip_accents(text)
    if style == "lower":
        return text.lower()
    if style == "upper":
        return text.upper()
    return text


def channels_of(rng: random.Random, person: Person) -> dict[str, int]:
    """source -> number of records (1, or 2 for a duplicate). Everyone is somewhere."""
    out = {}
    web = rng.random() < CHANNEL_SHARES["web"]
    for source, share in (("pos", CHANNEL_SHARES["pos"]), ("callcentre", CHANNEL_SHARES["callcentre"])):
        if rng.random() < share:
            out[source] = 1
    if web:
        out["web"] = 1
    if rng.random() < CHANNEL_SHARES["app_if_web" if web else "app_if_no_web"]:
        out["app"] = 1
    if not out:
        out[rng.choice(("pos", "web"))] = 1
    for source in out:
        if rng.random() < RECORD_CASES["duplicate_record"]:
            out[source] = 2
    return out


def timestamp(rng: random.Random, start: datetime, end: datetime) -> datetime:
    seconds = max(1, int((end - start).total_seconds()))
    return (start + timedelta(seconds=rng.randrange(seconds))).replace(microsecond=0)


def _names(rng: random.Random, person: Person, source: str, cases: list[str]) -> tuple[str, str]:
    first, last = person.first, person.last
    if person.last != person.birth_last and rng.random() < RECORD_CASES["birth_name_as_last"]:
        last = person.birth_last
        cases.append("birth_name_as_last")
    if rng.random() < RECORD_CASES["nickname"] and first in names.NICKNAMES:
        first = names.nickname(rng, first)
        cases.append("nickname")
    if rng.random() < _share("phonetic", source):
        if rng.random() < 0.5:
            first = names.phonetic(rng, first)
        else:
            last = names.phonetic(rng, last)
        cases.append("phonetic")
    if rng.random() < RECORD_CASES["typo"]:
        if rng.random() < 0.5:
            first = names.typo(rng, first)
        else:
            last = names.typo(rng, last)
        cases.append("typo")
    if rng.random() < _share("swap_names", source):
        first, last = last, first
        cases.append("swap_names")
    return first, last


def _email(rng: random.Random, person: Person, source: str, cases: list[str]) -> str | None:
    if rng.random() < _share("placeholder_email", source):
        cases.append("placeholder_email")
        return rng.choice(PLACEHOLDER_EMAILS)
    if rng.random() < _share("missing_email", source):
        return None
    email = person.emails[0]
    if person.family_email and rng.random() < RECORD_CASES["family_email"]:
        email = person.family_email
        cases.append("family_email")
    elif len(person.emails) > 1 and rng.random() < RECORD_CASES["second_email"]:
        email = person.emails[1]
        cases.append("second_email")
    if rng.random() < RECORD_CASES["email_provider_typo"]:
        local, domain = email.split("@")
        if domain in PROVIDER_TYPOS:
            email = f"{local}@{rng.choice(PROVIDER_TYPOS[domain])}"
            cases.append("email_provider_typo")
    return email


def _phone(rng: random.Random, person: Person, source: str, cases: list[str]) -> str | None:
    if rng.random() < _share("default_phone", source):
        cases.append("default_phone")
        return format_phone(rng, DEFAULT_PHONE)
    if rng.random() < _share("missing_phone", source):
        return None
    digits = person.mobiles[0]
    if source != "app" and person.landline and rng.random() < RECORD_CASES["landline"]:
        digits = person.landline
        cases.append("landline")
    elif len(person.mobiles) > 1 and rng.random() < 0.4:
        digits = person.mobiles[1]
        cases.append("second_phone")
    return format_phone(rng, digits)


def _address(rng: random.Random, person: Person, source: str, cases: list[str]) -> addr.Address | None:
    if rng.random() < _share("missing_address", source):
        return None
    if source == "web" and rng.random() < _share("click_collect_address", source):
        cases.append("click_collect_address")
        return rng.choice(addr.stores())[1]
    if source == "web" and person.work_address and rng.random() < RECORD_CASES["work_address"]:
        cases.append("work_address")
        return person.work_address
    if person.old_address and rng.random() < RECORD_CASES["old_address"]:
        cases.append("old_address")
        return person.old_address
    return person.address


def _birth_date(rng: random.Random, person: Person, source: str, cases: list[str]):
    if rng.random() < _share("missing_birth_date", source):
        return None
    b = person.birth_date
    if b.day <= 12 and b.day != b.month and rng.random() < RECORD_CASES["birth_date_day_month_swap"]:
        cases.append("birth_date_day_month_swap")
        return b.replace(day=b.month, month=b.day)
    return b


def _name_style(rng: random.Random, source: str) -> str:
    if source == "pos":
        return "upper_plain"
    if rng.random() < _share("drop_accents", source):
        return "plain"
    if source == "callcentre":
        return "upper" if rng.random() < 0.5 else "as_is"
    r = rng.random()
    return "lower" if r < 0.08 else "upper" if r < 0.14 else "as_is"


def set_address(rec: dict, a: addr.Address | None) -> None:
    """Write an address into a record in the record's own style (also used by edits)."""
    style = rec["_addr_style"]
    if a is None:
        rec.update(address_line1=None, address_line2=None, postcode=None, city=None)
        return
    city = a.commune.acheminement + (" CEDEX" if a.cedex else "") if rec["source"] == "pos" else a.city
    rec.update(address_line1=style_text(style, a.line1), address_line2=style_text(style, a.line2),
               postcode=a.commune.postcode, city=style_text(style, city))
    rec["_address"] = a


def customer_records(rng: random.Random, person: Person, channels: dict[str, int],
                     window: tuple[datetime, datetime]) -> list[dict]:
    """All customer records of one person, as dicts of canonical fields (display strings)
    plus bookkeeping keys starting with `_` (key, person id, styles, hard cases applied)."""
    out = []
    web_account = None  # the app signs in with the web account
    pos_card = None  # web accounts may carry the loyalty card (pos comes first in the loop)
    for source in CUSTOMER_SOURCES:
        for dup in range(channels.get(source, 0)):
            cases: list[str] = ["duplicate_record"] if dup else []
            key = record_key(person.pid, dup)
            first, last = _names(rng, person, source, cases)
            style = _name_style(rng, source)
            created = timestamp(rng, *window)
            updated = timestamp(rng, created, window[1]) if rng.random() < 0.6 else created
            rec = {
                "source": source, "_key": key, "_pid": person.pid, "_person_id": person.person_id,
                "_style": style, "_cases": cases,
                "_addr_style": ("upper" if rng.random() < _share("accented_address", source) else "upper_plain")
                if source == "pos" else style if style != "lower" else "as_is",
                "source_record_id": record_id(source, key),
                "civility": ("MME" if person.sex == "F" else "M"),
                "first_name": style_text(style, first), "last_name": style_text(style, last),
                "birth_name": None, "birth_date": _birth_date(rng, person, source, cases),
                "email": _email(rng, person, source, cases), "phone": _phone(rng, person, source, cases),
                "country": "FR", "loyalty_id": None, "account_id": None,
                "created_at": created, "updated_at": updated,
            }
            set_address(rec, _address(rng, person, source, cases))
            if source == "pos":
                if rec["email"]:
                    rec["email"] = rec["email"].upper()
                rec["loyalty_id"] = loyalty_card(key)
                pos_card = pos_card or rec["loyalty_id"]
                if person.sex == "F" and person.last != person.birth_last and rng.random() < 0.7:
                    rec["birth_name"] = names.upper_plain(person.birth_last)
                r = rng.random()
                maiden = person.sex == "F" and person.last == person.birth_last
                rec["civility"] = None if r < 0.05 else "MLLE" if maiden and r < 0.15 else rec["civility"]
                rec["country"] = None if r > 0.9 else "FRANCE" if r > 0.5 else "FR"
            elif source == "web":
                rec["account_id"] = account_id(key)
                web_account = web_account or rec["account_id"]
                rec["civility"] = {"M": "M.", "MME": "Mme"}[rec["civility"]] if rng.random() < 0.9 else None
                if pos_card and rng.random() < 0.3:
                    rec["loyalty_id"] = pos_card
            elif source == "app":
                rec["account_id"] = web_account if web_account and dup == 0 else account_id(key + 2)
                if rec["phone"] and rng.random() < 0.5:
                    rec["phone"] = format_phone(rng, person.mobiles[0])
            out.append(rec)
    return out


def edit_record(rng: random.Random, rec: dict, person: Person, reg: Registry, when: datetime) -> str:
    """Change one field of an existing record the way a later extract would, return the edit kind."""
    kinds = ["new_phone", "moved", "new_email"]
    if person.sex == "F" and rec["last_name"] and style_text(rec["_style"], person.birth_last) == rec["last_name"]:
        kinds.append("married_name")
    kind = rng.choice(kinds)
    if kind == "new_phone":
        rec["phone"] = format_phone(rng, new_mobile(rng, reg))
    elif kind == "moved":
        old = rec.get("_address") or person.address
        set_address(rec, addr.move_within(rng, old))
    elif kind == "new_email":
        email = new_email(rng, reg, person.first, person.last, person.birth_date)
        rec["email"] = email.upper() if rec["source"] == "pos" else email
    else:
        new_last = names.surname(rng)
        rec["last_name"] = style_text(rec["_style"], new_last)
        if rec["source"] == "pos":
            rec["birth_name"] = names.upper_plain(person.birth_last)
            rec["civility"] = "MME"
    rec["updated_at"] = when
    return kind


def created_window() -> tuple[datetime, datetime]:
    """Accounts opened over the 8 years before the reference date."""
    return REFERENCE_DATE - timedelta(days=8 * 365), REFERENCE_DATE - timedelta(days=20)
