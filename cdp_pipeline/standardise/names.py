"""Person names: civility split, display form, match form, birth name, quality flag.

Why two forms: the display form ("Jean-Pierre", "de La Fontaine") goes on letters and
screens; the match form ("JEAN PIERRE", "DE LA FONTAINE") is what linkage compares, with
accents, case and punctuation folded so the till's "HELENE" meets the web's "Hélène".
"""

from __future__ import annotations

import re

from cdp_pipeline.standardise.text import clean, fold

CIVILITIES = {
    "M": "M", "MR": "M", "MONSIEUR": "M", "MM": "M",
    "MME": "MME", "MADAME": "MME", "MLLE": "MME", "MADEMOISELLE": "MME", "MS": "MME", "MRS": "MME", "MELLE": "MME",
}
JUNK = {
    "XXX", "XX", "X", "TEST", "TESTS", "INCONNU", "INCONNUE", "NC", "N C", "NA", "N A", "NEANT", "CLIENT",
    "CLIENTE", "AUCUN", "NONE", "NULL", "ANONYME", "DIVERS", "ZZZ", "AAA", "ABC", "ESSAI",
}
# particles written in lower case inside a name (not at its start): "Marie de La Fontaine"
LOWER_PARTICLES = {"de", "du", "des", "d", "von", "van", "der", "den", "di", "da"}
_CIVILITY_PREFIX = re.compile(r"^(M\.?|MR\.?|MME\.?|MLLE\.?|MONSIEUR|MADAME|MADEMOISELLE)\s+", re.IGNORECASE)
_TOKEN = re.compile(r"([\s\-'’]+)")
# "DUPONT NEE MARTIN" (usage name, then birth name) / "MARTIN EP DUPONT" (birth name, then spouse's)
_NEE = re.compile(r"^(?P<usage>.+?)\s+(?:NEE|NE)\s+(?P<birth>.+)$")
_EPOUSE = re.compile(r"^(?P<birth>.+?)\s+(?:EP|EPSE|EPOUSE|EPOUX)\s+(?P<usage>.+)$")


def civility(value: str | None) -> str | None:
    key = fold(value)
    return CIVILITIES.get(key.replace(" ", "")) if key else None


def split_civility(name: str | None) -> tuple[str | None, str | None]:
    """'M. Jean' -> ('M', 'Jean'); names without a civility are returned unchanged."""
    name = clean(name)
    if not name:
        return None, None
    m = _CIVILITY_PREFIX.match(name)
    if not m:
        return None, name
    return civility(m.group(1)), clean(name[m.end():])


def display(name: str | None) -> str | None:
    """Proper case that respects compounds and particles: JEAN-PIERRE -> Jean-Pierre,
    N'DIAYE -> N'Diaye, DE LA FONTAINE -> de La Fontaine (a particle first keeps lower case
    only when other words follow, as French usage writes it after a first name)."""
    name = clean(name)
    if not name:
        return None
    parts = _TOKEN.split(name.replace("’", "'"))
    words = [p for p in parts if p and not _TOKEN.fullmatch(p)]
    out = []
    for part in parts:
        if not part or _TOKEN.fullmatch(part):
            out.append(part)
            continue
        low = part.lower()
        if low in LOWER_PARTICLES and len(words) > 1:
            out.append(low)
        else:
            out.append(low[:1].upper() + low[1:])
    return "".join(out)


def match_form(name: str | None) -> str | None:
    return fold(name)


def flag(name: str | None) -> str:
    """ok | missing | junk. A lone initial ("J") is junk: it carries too little to match on,
    and the contract (docs/warehouse.md) has no fourth value for it."""
    key = fold(name)
    if not key:
        return "missing"
    compact = key.replace(" ", "")
    if key in JUNK or len(compact) == 1 or any(ch.isdigit() for ch in compact):
        return "junk"
    return "ok"


def split_birth_name(last_name: str | None) -> tuple[str | None, str | None]:
    """'DUPONT née MARTIN' -> ('DUPONT', 'MARTIN'); 'MARTIN ep DUPONT' -> ('DUPONT', 'MARTIN')."""
    name = clean(last_name)
    if not name:
        return None, None
    folded = fold(name) or ""
    for pattern in (_NEE, _EPOUSE):
        m = pattern.match(folded)
        if m:
            # keep the original spelling (accents) of each part by position in the folded text
            words = name.split()
            usage_n = len(m.group("usage").split())
            birth_n = len(m.group("birth").split())
            if pattern is _NEE:
                return " ".join(words[:usage_n]), " ".join(words[-birth_n:])
            return " ".join(words[-usage_n:]), " ".join(words[:birth_n])
    return name, None
