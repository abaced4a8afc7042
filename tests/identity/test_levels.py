"""Which comparison level a hand-made pair lands in, with the real level conditions of settings.py.

Why at the level: the guards decide which learned weight a pair gets; end-to-end tests on a few
hundred synthetic people train too little to show the difference a level makes.
"""

from __future__ import annotations

from datetime import date

import duckdb

from cdp_pipeline.identity.settings import address_comparison, first_name_comparison, last_name_comparison

_HOME = {"street_number": "7", "street_name": "RUE DES TILLEULS", "address_extra": None,
         "postcode": "35000", "city": "RENNES", "commune_code": "35238", "address_checked": True,
         "first_name_check": "TEODOR", "last_name_check": "WOJCIK", "sex": "M",
         "birth_date_check": date(1950, 6, 1)}
_OTHER_STREET = {"street_number": "40", "street_name": "AV JEAN JAURES"}


def _level(comparison, left: dict, right: dict) -> str:
    levels = comparison.get_comparison("duckdb").comparison_levels
    case = "CASE " + " ".join(
        f"WHEN {lvl.sql_condition} THEN '{lvl.label_for_charts}'" for lvl in levels
        if lvl.sql_condition != "ELSE") + " ELSE 'else' END"
    pair = {f"{k}_l": v for k, v in left.items()} | {f"{k}_r": v for k, v in right.items()}
    con = duckdb.connect()
    cols = ", ".join(f"${k} AS {k}" for k in pair)
    return con.execute(f"SELECT {case} FROM (SELECT {cols})", pair).fetchone()[0]


def _address_level(left: dict, right: dict) -> str:
    return _level(address_comparison(), left, right)


def test_same_name_at_another_street_is_a_move_only_with_a_birth_date():
    moved = _HOME | _OTHER_STREET
    assert _address_level(_HOME, moved) == "Same postcode and commune, other street"
    namesake = moved | {"birth_date_check": None}
    assert _address_level(_HOME, namesake) == "Same postcode or commune"
    unchecked = namesake | {"address_checked": False}  # maybe the same home mistyped
    assert _address_level(_HOME, unchecked) == "Same postcode and commune, other street"


def test_building_line_counts_when_street_and_place_disagree():
    elsewhere = {"postcode": "35700", "city": "RENNEZ", "commune_code": "35999"}
    swapped = _HOME | elsewhere | {"street_number": None, "street_name": "LES GLYCINES",
                                   "address_extra": "RUE DES TILLEULS"}
    assert _address_level(_HOME, swapped) == "Street and building lines swapped"
    building = _HOME | {"address_extra": "LES GLYCINES"}
    assert _address_level(building, building | elsewhere | _OTHER_STREET) == \
        "Same or similar building, other street"


def test_a_home_shared_with_a_close_first_name_is_a_household():
    nathalie = _HOME | {"first_name_check": "NATHALIE", "sex": "MME"}
    nathan = _HOME | {"first_name_check": "NATHAN", "sex": "M"}
    assert _address_level(nathalie, nathan) == "Same number and street, other first name"
    assert _address_level(nathalie, nathan | {"sex": None}) == "Same number and street"
    veronique = _HOME | {"first_name_check": "VERONIQUE", "sex": "MME"}
    assert _address_level(veronique, veronique | {"first_name_check": "MONIQUE"}) == \
        "Same number and street, other first name"  # Jaro-Winkler 0.84, one sex: two relatives


def test_another_surname_weighs_more_between_two_men():
    man = {"first_name_std": "LAURENT", "last_name_std": "PELAGNE", "birth_name_std": None, "sex": "M"}
    other = man | {"last_name_std": "TOURENNE"}
    assert _level(last_name_comparison(), man, other) == "Other last name, both men"
    woman = man | {"first_name_std": "LAURENCE", "sex": "MME"}
    assert _level(last_name_comparison(), woman, other | {"first_name_std": "LAURENCE", "sex": "MME"}) == "else"


def test_first_names_close_in_spelling_but_not_a_typo():
    def level(a: tuple, b: tuple) -> str:
        side = lambda name, sex, common: {"first_name_std": name, "last_name_std": "PELAGNE", "sex": sex,
                                          "first_name_common": common}
        return _level(first_name_comparison(), side(*a), side(*b))
    assert level(("FRANCOIS", "M", True), ("FRANCOISE", "MME", True)) == "Similar first name, other sex"
    assert level(("JEAN", "M", True), ("JEAN MARC", "M", True)) == "One first name starts the other"
    assert level(("MARIE", "MME", True), ("MARTINE", "MME", True)) == "Two common first names, similar"
    # a typo makes a rare string: the typo levels
    assert level(("MARIE", "MME", True), ("MAIRE", "MME", False)) == "Jaro-Winkler first_name_std >= 0.92"
    assert level(("FRANCOIS", "M", True), ("FRRANCOIS", None, False)) == "Jaro-Winkler first_name_std >= 0.92"
