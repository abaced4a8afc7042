"""Text folding shared by every standardiser: the one definition of a "match form".

Why one place: names, streets and communes are compared after the same folding (upper case,
accents removed, punctuation as spaces), so `Hélène`, `HELENE` and `hélène` meet.
"""

from __future__ import annotations

import re

from unidecode import unidecode

_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
_SPACES = re.compile(r"\s+")


def fold(value: str | None) -> str | None:
    """Upper case, accents and ligatures folded (Œ -> OE), punctuation -> space, single spaces."""
    if value is None:
        return None
    text = _NON_ALNUM.sub(" ", unidecode(value).upper()).strip()
    return text or None


def clean(value: str | None) -> str | None:
    """Trim and collapse whitespace (incl. non-breaking spaces); empty -> None."""
    if value is None:
        return None
    text = _SPACES.sub(" ", value.replace("\u00a0", " ").replace("\u202f", " ")).strip()
    return text or None
