"""The synthetic population: one `Person` per real-world individual, before any channel sees them.

Why people first, records second: the ground truth is "which records are the same person",
so the generator decides who exists (households, twins, namesakes, movers, married names)
and only then lets each channel write its own, imperfect view of that person.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from cdp_pipeline.synth import addresses as addr
from cdp_pipeline.synth import names

# Extracts are "as of" this instant, so a seed gives the same files whatever day it runs.
REFERENCE_DATE = datetime(2026, 11, 1)

# Person-level hard cases: share of persons affected.
PERSON_CASES = {
    "household_member": 0.18,  # lives with an earlier person: same address and landline
    "family_email": 0.35,  # share of households using famille.<name>@... in some records
    "twin": 0.004,  # same birth date, address and surname as an earlier person
    "namesake": 0.012,  # same first and last name and commune as someone else, other birth date
    "married_woman": 0.45,  # of women over 25 not already in a household: married name != birth name
    "mover": 0.10,  # previous address still known in some sources
    "work_address": 0.03,  # a CEDEX office address used in some web records
    "second_email": 0.20,
    "second_mobile": 0.10,
    "landline": 0.35,  # own landline (household members share their head's)
}

EMAIL_PROVIDERS = [("gmail.com", 30), ("orange.fr", 18), ("hotmail.fr", 10), ("free.fr", 9),
                   ("laposte.net", 6), ("sfr.fr", 6), ("wanadoo.fr", 6), ("yahoo.fr", 7),
                   ("outlook.fr", 4), ("icloud.com", 3), ("bbox.fr", 1)]
_PROVIDERS, _PROVIDER_CUM = names.weighted(EMAIL_PROVIDERS)

# First landline digit by area (01 Ile-de-France, 02 north-west, 03 north-east, 04 south-east,
# 05 south-west); overseas departments have their own four-digit prefixes.
_AREA = {
    d: prefix
    for prefix, depts in {
        "01": "75 77 78 91 92 93 94 95",
        "02": "14 18 22 27 28 29 35 36 37 41 44 45 49 50 53 56 61 72 76 85 86",
        "03": "02 08 10 21 25 39 51 52 54 55 57 58 59 60 62 67 68 70 71 80 88 89 90",
        "04": "01 03 04 05 06 07 13 15 26 2A 2B 30 34 38 42 43 48 63 66 69 73 74 83 84",
    }.items()
    for d in depts.split()
}
_OVERSEAS = {"971": "0590", "972": "0596", "973": "0594", "974": "0262", "975": "0508", "976": "0269"}


@dataclass(slots=True)
class Person:
    pid: int
    sex: str  # F / M
    first: str
    last: str  # usage name (married name for married women)
    birth_last: str
    birth_date: date
    address: addr.Address
    old_address: addr.Address | None = None
    work_address: addr.Address | None = None
    mobiles: list[str] = field(default_factory=list)  # "0612345678"
    landline: str | None = None
    emails: list[str] = field(default_factory=list)
    family_email: str | None = None
    cases: tuple[str, ...] = ()  # person-level hard cases, for the summary

    @property
    def person_id(self) -> str:
        return f"P{self.pid:08d}"


class Registry:
    """Identifiers already handed out, so two unrelated people never share a personal email
    or mobile by accident: shared contact points must only come from the deliberate traps.

    A child registry (`parent` set) sees its parent's values but only records its own: edits
    replayed in increment mode must not change what later baseline chunks draw."""

    def __init__(self, parent: Registry | None = None) -> None:
        self.used: set[str] = set()
        self.parent = parent

    def claim(self, value: str) -> bool:
        if value in self.used or (self.parent is not None and value in self.parent.used):
            return False
        self.used.add(value)
        return True


def _slug(text: str) -> str:
    return "".join(c for c in names.strip_accents(text).lower() if c.isalnum() or c == "-")


def new_email(rng: random.Random, reg: Registry, first: str, last: str, birth: date) -> str:
    f, l = _slug(first), _slug(last).replace("-", "")
    patterns = [f"{f}.{l}", f"{f}{l}", f"{f[:1]}.{l}", f"{f}_{l}", f"{l}.{f}", f"{f}.{l}{birth.year % 100:02d}",
                f"{f}{birth.year}", f"{f[:1]}{l}{rng.randint(1, 99)}"]
    local = rng.choice(patterns)
    domain = rng.choices(_PROVIDERS, cum_weights=_PROVIDER_CUM)[0]
    email = f"{local}@{domain}"
    while not reg.claim(email):
        email = f"{local}{rng.randint(1, 9999)}@{domain}"
    return email


def new_mobile(rng: random.Random, reg: Registry) -> str:
    while True:
        # allocated metropolitan mobile ranges: 060-068 and 073-078 (069x is overseas, 070-072 unallocated)
        head = rng.choice(("6" + str(rng.randint(0, 8)), "7" + str(rng.randint(3, 8))))
        number = head + f"{rng.randrange(10**7):07d}"
        if reg.claim(number):
            return "0" + number


def new_landline(rng: random.Random, reg: Registry, departement: str) -> str:
    if departement in _OVERSEAS:
        prefix = _OVERSEAS[departement]
    else:
        prefix = "09" if rng.random() < 0.2 else _AREA.get(departement, "05")
    while True:
        number = prefix + "".join(rng.choice("0123456789") for _ in range(10 - len(prefix)))
        if number[len(prefix)] != "0" and reg.claim(number):  # 01 0x.. are not subscriber numbers
            return number


def _adult(rng, birth):
    """Household members are adults; a draw that would make a minor is spread over the 10 years
    before majority (a clamp would give many people the same birth date, a false-merge trap that
    real data doesn't have)."""
    limit = (REFERENCE_DATE - timedelta(days=18 * 365)).date()
    return birth if birth <= limit else limit - timedelta(days=rng.randint(0, 3650))


def _birth_date(rng: random.Random) -> date:
    age_days = rng.randint(18 * 365, 88 * 365) if rng.random() < 0.97 else rng.randint(88 * 365, 99 * 365)
    return (REFERENCE_DATE - timedelta(days=age_days)).date()


def _other_first(rng: random.Random, sex: str, avoid: str) -> str:
    while True:
        first = names.first_name(rng, sex)
        if first != avoid:
            return first


def make_people(rng: random.Random, reg: Registry, start_pid: int, n: int) -> list[Person]:
    """n persons with ids start_pid.. ; households, twins and namesakes link to earlier persons
    of the same chunk, which keeps chunks independent of each other (streaming)."""
    people: list[Person] = []
    pc = PERSON_CASES
    for i in range(n):
        sex = "F" if rng.random() < 0.52 else "M"
        cases: list[str] = []
        r = rng.random()
        mate = people[rng.randrange(max(0, i - 50), i)] if i else None
        if mate is not None and r < pc["twin"]:
            cases.append("twin")
            p = Person(start_pid + i, sex, _other_first(rng, sex, mate.first), mate.birth_last, mate.birth_last,
                       mate.birth_date, mate.address, landline=mate.landline)
        elif mate is not None and r < pc["twin"] + pc["namesake"]:
            cases.append("namesake")
            p = Person(start_pid + i, mate.sex, mate.first, mate.last, mate.last, _birth_date(rng),
                       addr.random_address(rng, mate.address.commune))
        elif mate is not None and r < pc["twin"] + pc["namesake"] + pc["household_member"]:
            cases.append("household_member")
            spouse = rng.random() < 0.6
            if spouse:
                sex = "F" if mate.sex == "M" else "M"
                birth = mate.birth_date + timedelta(days=rng.randint(-2500, 2500))
                birth = _adult(rng, birth)
                birth_last = names.surname(rng) if sex == "F" else mate.last
                last = mate.last
                if sex == "F" and birth_last != last:
                    cases.append("married_woman")
            else:  # adult child still living with the parents
                birth = mate.birth_date + timedelta(days=rng.randint(20 * 365, 35 * 365))
                birth = _adult(rng, birth)
                birth_last = last = mate.last
            p = Person(start_pid + i, sex, _other_first(rng, sex, mate.first), last, birth_last, birth,
                       mate.address, landline=mate.landline)
            if mate.family_email is None and rng.random() < pc["family_email"]:
                domain = rng.choices(_PROVIDERS, cum_weights=_PROVIDER_CUM)[0]
                family = f"famille.{_slug(mate.last).replace('-', '')}@{domain}"
                while not reg.claim(family):
                    family = f"famille.{_slug(mate.last).replace('-', '')}{rng.randint(1, 9999)}@{domain}"
                mate.family_email = family
            p.family_email = mate.family_email
        else:
            birth_last = names.surname(rng)
            p = Person(start_pid + i, sex, names.first_name(rng, sex), birth_last, birth_last, _birth_date(rng),
                       addr.random_address(rng))
            if sex == "F" and p.birth_date.year < REFERENCE_DATE.year - 25 and rng.random() < pc["married_woman"]:
                p.last = names.surname(rng)
                cases.append("married_woman")
            if rng.random() < pc["landline"]:
                p.landline = new_landline(rng, reg, p.address.commune.departement)
        if "twin" not in cases and "household_member" not in cases and rng.random() < pc["mover"]:
            cases.append("mover")
            p.old_address = p.address
            p.address = addr.move_within(rng, p.address)
        if rng.random() < pc["work_address"]:
            cases.append("work_address")
            p.work_address = addr.business_address(rng)
        p.mobiles.append(new_mobile(rng, reg))
        if rng.random() < pc["second_mobile"]:
            p.mobiles.append(new_mobile(rng, reg))
        p.emails.append(new_email(rng, reg, p.first, p.last, p.birth_date))
        if rng.random() < pc["second_email"]:
            # Often the maiden-name address kept from before the marriage.
            p.emails.append(new_email(rng, reg, p.first, p.birth_last, p.birth_date))
        p.cases = tuple(cases)
        people.append(p)
    return people
