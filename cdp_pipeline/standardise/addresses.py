"""Postal addresses, French RNVP: AFNOR NF Z10-011 lines, postcode/commune validation.

The norm writes an address in at most 6 lines (+ country) of at most 38 characters, upper
case, without punctuation or accents:
  L2 recipient complement (appartement, étage, chez)   L3 building (bâtiment, résidence, entrée)
  L4 number + repetition index + street               L5 lieu-dit, BP / CS / TSA
  L6 postcode + libellé d'acheminement (+ CEDEX n)    (L1, the name, is the golden record's)
Street types are written in full when the line fits in 38 characters, and abbreviated with
the norm's list only when it doesn't (what La Poste asks). `street_name`, the matching key,
is always abbreviated so that "AVENUE" and "AV" meet.

Postcode and commune are checked against the offline reference: `validated` (the pair
exists), `corrected` (one of them fixed with certainty), `rejected` (no certain fix),
`missing`, or `foreign` (not a French address: generic clean-up, never rejected for that).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

import jellyfish

from cdp_pipeline.standardise.reference import Commune, postcode_reference
from cdp_pipeline.standardise.text import clean, fold

MAX_LINE = 38
# AFNOR / La Poste abbreviations (subset that covers the street types and complements in use).
ABBREVIATIONS = {
    "AVENUE": "AV", "BOULEVARD": "BD", "PLACE": "PL", "ROUTE": "RTE", "CHEMIN": "CHE", "IMPASSE": "IMP",
    "ALLEE": "ALL", "ALLEES": "ALL", "RESIDENCE": "RES", "BATIMENT": "BAT", "APPARTEMENT": "APT",
    "ESCALIER": "ESC", "ETAGE": "ETG", "LIEU DIT": "LD", "LIEUDIT": "LD", "SAINT": "ST", "SAINTE": "STE",
    "FAUBOURG": "FG", "QUAI": "QUAI", "SQUARE": "SQ", "COURS": "CRS", "PASSAGE": "PAS", "QUARTIER": "QUA",
    "HAMEAU": "HAM", "LOTISSEMENT": "LOT", "PROMENADE": "PROM", "DOCTEUR": "DR", "GENERAL": "GEN",
    "MARECHAL": "MAL", "PRESIDENT": "PDT", "PROFESSEUR": "PR", "IMMEUBLE": "IMM", "ENTREE": "ENT",
    "CENTRE COMMERCIAL": "CCAL", "ZONE INDUSTRIELLE": "ZI", "ZONE ARTISANALE": "ZA", "GRANDE RUE": "GR",
}
# Common written variants of street types, expanded to the full word before anything else.
VARIANTS = {"AV": "AVENUE", "AVE": "AVENUE", "BD": "BOULEVARD", "BVD": "BOULEVARD", "BLD": "BOULEVARD",
            "PL": "PLACE", "RTE": "ROUTE", "CHE": "CHEMIN", "CH": "CHEMIN", "IMP": "IMPASSE", "ALL": "ALLEE",
            "RES": "RESIDENCE", "BAT": "BATIMENT", "BT": "BATIMENT", "APT": "APPARTEMENT", "APPT": "APPARTEMENT",
            "AP": "APPARTEMENT", "ESC": "ESCALIER", "ETG": "ETAGE", "LD": "LIEU DIT", "FBG": "FAUBOURG",
            "FG": "FAUBOURG", "SQ": "SQUARE", "CRS": "COURS", "LOT": "LOTISSEMENT", "IMM": "IMMEUBLE"}
L2_WORDS = ("APPARTEMENT", "ETAGE", "CHEZ", "ESCALIER", "PORTE", "CHAMBRE", "BOITE", "C O")
L3_WORDS = ("BATIMENT", "RESIDENCE", "IMMEUBLE", "ENTREE", "TOUR", "ZONE INDUSTRIELLE", "CENTRE COMMERCIAL")
L5_WORDS = ("LIEU DIT", "BP", "CS", "TSA", "HAMEAU")
_NUMBER = re.compile(r"^(?P<num>\d{1,5})\s*(?P<rep>BIS|TER|QUATER|QUINQUIES|[ABCDT])?\b\s*(?P<rest>.*)$")
_L2_START = re.compile(r"\s(?=(?:APPARTEMENT|ETAGE|ESCALIER|PORTE)\b)")
_FLOOR = re.compile(r"\b(\d{1,2})\s*(?:E|EME|ER|ERE)?\s+ETAGE\b")  # "4e étage" -> "ETAGE 4" (L2)
_CEDEX = re.compile(r"\bCEDEX(?:\s+(?P<n>\d{1,2}))?\b")
_POSTCODE_IN_TEXT = re.compile(r"\b(\d{5})\b")
# where line 4 starts in a one-line address: a number (+ index) followed by a word that is not a
# building complement ("BAT 2 ESC A 7 AV DU 11 NOVEMBRE" -> "7 AV...", "M DUPONT 12 RUE" -> "12 RUE")
_STREET_START = re.compile(r"\b\d{1,5}(?:\s*(?:BIS|TER|QUATER|[A-D]))?\s+(?!(?:ESCALIER|ESC|ETAGE|ETG|BATIMENT|BAT|BT|"
                           r"APPARTEMENT|APPT|APT|AP|PORTE|ENTREE|ENT)\b)[A-Z]")

COUNTRIES = {
    "FR": "FR", "FRA": "FR", "FRANCE": "FR", "F": "FR", "FRANCE METROPOLITAINE": "FR",
    # overseas départements are France for La Poste (97x postcodes are in the reference)
    "GUADELOUPE": "FR", "MARTINIQUE": "FR", "GUYANE": "FR", "REUNION": "FR", "LA REUNION": "FR", "MAYOTTE": "FR",
    "BE": "BE", "BEL": "BE", "BELGIQUE": "BE", "BELGIUM": "BE", "CH": "CH", "CHE": "CH", "SUISSE": "CH",
    "SWITZERLAND": "CH", "LU": "LU", "LUX": "LU", "LUXEMBOURG": "LU", "DE": "DE", "DEU": "DE", "ALLEMAGNE": "DE",
    "GERMANY": "DE", "ES": "ES", "ESP": "ES", "ESPAGNE": "ES", "SPAIN": "ES", "IT": "IT", "ITA": "IT",
    "ITALIE": "IT", "ITALY": "IT", "GB": "GB", "UK": "GB", "ROYAUME UNI": "GB", "UNITED KINGDOM": "GB",
    "ANGLETERRE": "GB", "PT": "PT", "PRT": "PT", "PORTUGAL": "PT", "NL": "NL", "NLD": "NL", "PAYS BAS": "NL",
    "MC": "MC", "MCO": "MC", "MONACO": "MC", "AD": "AD", "ANDORRE": "AD", "US": "US", "USA": "US",
    "ETATS UNIS": "US", "CA": "CA", "CAN": "CA", "CANADA": "CA", "MA": "MA", "MAR": "MA", "MAROC": "MA",
    "DZ": "DZ", "DZA": "DZ", "ALGERIE": "DZ", "TN": "TN", "TUN": "TN", "TUNISIE": "TN", "SN": "SN",
    "SENEGAL": "SN", "CI": "CI", "COTE D IVOIRE": "CI",
}
UNKNOWN_COUNTRY = "ZZ"  # ISO 3166 user-assigned code: "given, but not a country we recognise"


def country_code(value: str | None, default: str) -> str:
    """ISO-2 code. Empty -> the source's default country; a value we can't map -> ZZ rather than
    the default, so a "Sénégal" written out in full is never validated as a French address."""
    key = fold(value)
    if not key:
        return default
    return COUNTRIES.get(key, UNKNOWN_COUNTRY)


@dataclass
class Address:
    address_l2: str | None = None
    address_l3: str | None = None
    address_l4: str | None = None
    address_l5: str | None = None
    address_l6: str | None = None
    street_number: str | None = None
    street_number_suffix: str | None = None
    street_name: str | None = None
    postcode: str | None = None
    city: str | None = None
    commune_code: str | None = None
    departement: str | None = None
    cedex: bool = False
    country: str = "FR"
    address_status: str = "missing"


def _expand(text: str) -> str:
    words = text.split()
    return " ".join(VARIANTS.get(w, w) for w in words)


# one pass, longest first so "ZONE INDUSTRIELLE" wins over a shorter overlapping entry
_ABBREVIATION = re.compile(r"\b(" + "|".join(sorted(ABBREVIATIONS, key=len, reverse=True)) + r")\b")


def _abbreviate(text: str) -> str:
    return _ABBREVIATION.sub(lambda m: ABBREVIATIONS[m.group(1)], text)


def _fit(line: str | None) -> str | None:
    """Full words when the line fits in 38 characters, AFNOR abbreviations when it doesn't."""
    if not line:
        return None
    if len(line) > MAX_LINE:
        line = _abbreviate(line)
    if len(line) > MAX_LINE:  # still too long: cut at a word boundary
        line = line[: line.rfind(" ", 0, MAX_LINE + 1)] if " " in line[: MAX_LINE + 1] else line[:MAX_LINE]
    return line.strip()


def _classify(segment: str) -> str:
    if _NUMBER.match(segment) and not segment.startswith(("BP ", "CS ", "TSA ")):
        return "l4"
    for words, line in ((L5_WORDS, "l5"), (L2_WORDS, "l2"), (L3_WORDS, "l3")):
        if any(segment == w or segment.startswith(w + " ") or f" {w} " in f" {segment} " for w in words):
            return line
    return "l4"


@lru_cache(maxsize=200_000)
def _split_lines(line1: str | None, line2: str | None) -> dict[str, tuple[str, ...]]:
    """Segments of the free-text lines, by AFNOR line. Cached (hence tuples): streets repeat."""
    lines: dict[str, list[str]] = {"l2": [], "l3": [], "l4": [], "l5": []}
    for raw in (line1, line2):
        for segment in re.split(r"[,;\n]", raw or ""):
            # "RESIDENCE LES PINS BAT B APPT 12": the flat number starts its own line (L2)
            for seg in _L2_START.split(_FLOOR.sub(r"ETAGE \1", _expand(fold(segment) or ""))):
                if seg.strip():
                    lines[_classify(seg.strip())].append(seg.strip())
    return {line: tuple(segments) for line, segments in lines.items()}


def _commune_match(city_key: str, communes: tuple[Commune, ...]) -> tuple[Commune | None, bool]:
    """(commune, exact?) among the communes of a postcode; fuzzy only when unambiguous."""
    for c in communes:
        if city_key in c.keys:
            return c, True
    city_st = _abbreviate(city_key)
    scored = sorted(
        ((max(jellyfish.jaro_winkler_similarity(city_st, _abbreviate(n)) for n in c.keys), c) for c in communes),
        key=lambda t: -t[0],
    )
    if scored and scored[0][0] >= 0.92 and (len(scored) == 1 or scored[1][0] < scored[0][0] - 0.03):
        return scored[0][1], False
    return None, False


@dataclass(frozen=True)
class _Locality:
    """Line 6 of a French address, validated: what postcode + commune give on their own."""
    postcode: str | None = None
    city: str | None = None
    commune_code: str | None = None
    departement: str | None = None
    cedex: bool = False
    status: str = "missing"
    l6: str | None = None


@lru_cache(maxsize=200_000)
def _locality_fr(postcode_raw: str | None, city_raw: str | None) -> _Locality:
    """Cached: a million customers live in a few thousand (postcode, commune) pairs."""
    ref = postcode_reference()
    city_key = " ".join({"ST": "SAINT", "STE": "SAINTE"}.get(w, w) for w in (fold(city_raw) or "").split())
    cedex = _CEDEX.search(city_key)
    if cedex:
        city_key = _CEDEX.sub("", city_key).strip()
    digits = re.sub(r"\D", "", postcode_raw or "")
    if not digits:
        found = _POSTCODE_IN_TEXT.search(city_key)
        if found:
            digits, city_key = found.group(1), city_key.replace(found.group(1), "").strip()
    padded = len(digits) == 4
    if padded:
        digits = "0" + digits  # a spreadsheet dropped the leading zero
    postcode = digits if len(digits) == 5 else None
    if not postcode and not city_key:
        return _Locality()
    commune, exact = None, False
    if postcode in ref.by_postcode and city_key:
        commune, exact = _commune_match(city_key, ref.by_postcode[postcode])
    elif postcode in ref.by_postcode and len(ref.by_postcode[postcode]) == 1:
        commune = ref.by_postcode[postcode][0]  # no commune given, but the postcode has only one
    if commune is None and not cedex and len({c.postcode for c in ref.by_name.get(city_key, ())}) == 1:
        commune = ref.by_name[city_key][0]  # postcode missing or wrong, the commune has only one
    if commune is not None:
        certain = exact and postcode == commune.postcode and not padded
        loc = _Locality(commune.postcode, fold(commune.libelle), commune.commune_code, commune.departement,
                        bool(cedex), "validated" if certain else "corrected")
    else:
        # a CEDEX code belongs to a company, not a commune: it can't be in the reference,
        # so a CEDEX line is accepted when its postcode is in a real département
        status = "validated" if cedex and postcode and postcode[:2] in ref.departement_prefixes else "rejected"
        loc = _Locality(postcode, city_key or None, None, _departement_of(postcode) if postcode else None,
                        bool(cedex), status)
    suffix = (" CEDEX" + (f" {cedex.group('n')}" if cedex.group("n") else "")) if cedex else ""
    l6 = _fit(" ".join(p for p in (loc.postcode, (loc.city or "") + suffix) if p).strip())
    return replace(loc, l6=l6)


def _departement_of(postcode: str) -> str:
    if postcode.startswith("97") or postcode.startswith("98"):
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if postcode < "20200" else "2B"
    return postcode[:2]


def standardise_address(line1: str | None, line2: str | None, postcode: str | None, city: str | None,
                        country: str | None, default_country: str = "FR") -> Address:
    addr = Address(country=country_code(country, default_country))
    lines = _split_lines(clean(line1), clean(line2))
    # the numbered street is line 4; other unclassified segments ("TOUR EUROPE") locate the
    # building, which is line 3's job
    numbered = [seg for seg in lines["l4"] if (m := _NUMBER.match(seg)) and m.group("rest")]
    street = (numbered or lines["l4"] or [None])[0]
    extra_l4 = [seg for seg in lines["l4"] if seg != street]
    if street:
        m = _NUMBER.match(street)
        if m and m.group("rest"):
            addr.street_number = m.group("num").lstrip("0") or "0"
            addr.street_number_suffix = m.group("rep")
            street = m.group("rest")
        addr.street_name = _abbreviate(street)
        number = " ".join(p for p in (addr.street_number, addr.street_number_suffix) if p)
        addr.address_l4 = _fit(f"{number} {street}".strip())
    addr.address_l2 = _fit(" ".join(lines["l2"]))
    addr.address_l3 = _fit(" ".join([*lines["l3"], *extra_l4]))
    addr.address_l5 = _fit(" ".join(lines["l5"]))
    if addr.country != "FR":
        addr.postcode = fold(postcode)
        addr.city = fold(city)
        addr.address_l6 = _fit(" ".join(p for p in (addr.postcode, addr.city) if p))
        has_any = any((addr.address_l4, addr.address_l5, addr.postcode, addr.city))
        addr.address_status = "foreign" if has_any else "missing"
        return addr
    loc = _locality_fr(postcode, city)
    addr.postcode, addr.city, addr.commune_code, addr.departement = loc.postcode, loc.city, loc.commune_code, loc.departement
    addr.cedex, addr.address_l6 = loc.cedex, loc.l6
    has_lines = any((addr.address_l2, addr.address_l3, addr.address_l4, addr.address_l5))
    addr.address_status = "rejected" if loc.status == "missing" and has_lines else loc.status
    return addr


def postal_key(one_line: str | None, default_country: str = "FR") -> str | None:
    """A one-line postal address ("12 BIS RUE DE LA PAIX 75002 PARIS") as the key golden records
    and suppressions share: `address_l4 || ' ' || postcode` of its standardised form.

    What precedes the numbered street (a recipient's name, a residence or building) is
    dropped: only line 4 is in the key, and without commas it can't be told apart reliably."""
    text = fold(one_line)
    if not text:
        return None
    found = list(_POSTCODE_IN_TEXT.finditer(text))
    if not found:
        return None
    last = found[-1]
    street, city = text[: last.start()].strip(), text[last.end():].strip()
    start = _STREET_START.search(street)
    street = street[start.start():] if start else street
    addr = standardise_address(street, None, last.group(1), city, default_country, default_country)
    if not addr.address_l4 or not addr.postcode:
        return None
    return f"{addr.address_l4} {addr.postcode}"
